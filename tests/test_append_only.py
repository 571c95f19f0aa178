"""The access log, account events and appointment history refuse, through the ORM, every
change and deletion of a row, each with its own error (the databases refuse them too:
tests/charting/test_sql_bypass.py, tests/scheduling/test_change_log.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.events import record_account_event
from sotclinic.accounts.models import AccountEvent, AccountEventImmutable, Role
from sotclinic.audit.models import AccessLog, Action, AuditImmutable
from sotclinic.audit.services import record_access
from sotclinic.scheduling.models import AppointmentChange, ChangeLogImmutable
from sotclinic.scheduling.services import Channel, record_change
from tests.factories import (
    make_appointment,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


def _access_row():
    return record_access(make_user(Role.PRACTITIONER), make_patient(), Action.VIEW_CHART, "chart")


def _account_event():
    return record_account_event(make_user(Role.PRACTITIONER), AccountEvent.Kind.TWO_FACTOR_ENROLLED)


def _appointment_change():
    doctor = make_open_practitioner(make_location())
    appointment = make_appointment(doctor, timezone.now() + dt.timedelta(days=1))
    return record_change(appointment, AppointmentChange.Action.BOOKED, channel=Channel.SYSTEM)


TABLES = [
    (_access_row, AccessLog, AuditImmutable),
    (_account_event, AccountEvent, AccountEventImmutable),
    (_appointment_change, AppointmentChange, ChangeLogImmutable),
]
IDS = ["access log", "account events", "appointment history"]


@pytest.mark.parametrize(("make_row", "model", "error"), TABLES, ids=IDS)
def test_a_stored_row_cannot_be_saved_again_or_deleted(make_row, model, error):
    row = make_row()

    with pytest.raises(error, match="append-only"):
        row.save()
    with pytest.raises(error):
        row.delete()

    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("make_row", "model", "error"), TABLES, ids=IDS)
def test_querysets_refuse_update_bulk_update_and_delete(make_row, model, error):
    row = make_row()
    field = "occurred_at"
    stored = model.objects.get(pk=row.pk).occurred_at

    with pytest.raises(error):
        model.objects.filter(pk=row.pk).update(**{field: stored - dt.timedelta(days=1)})
    with pytest.raises(error):
        row.occurred_at = stored - dt.timedelta(days=1)
        model.objects.bulk_update([row], [field])
    with pytest.raises(error):
        model.objects.all().delete()

    assert model.objects.get(pk=row.pk).occurred_at == stored
