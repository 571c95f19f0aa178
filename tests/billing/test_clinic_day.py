"""Money and paperwork are dated by the clinic's day, not the server's (UTC)."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import EntryKind
from sotclinic.scheduling.selectors import clinic_today
from tests.factories import make_location, make_patient, make_user

pytestmark = pytest.mark.django_db


def test_the_clinic_day_is_the_date_in_the_locations_time_zone():
    new_york = make_location(time_zone="America/New_York")
    evening = dt.datetime(2026, 12, 4, 3, 30, tzinfo=dt.UTC)  # 22:30 on 3 December there

    assert clinic_today(new_york, now=evening) == dt.date(2026, 12, 3)
    assert clinic_today(now=evening) == dt.date(2026, 12, 3)  # the clinic's first location


def test_without_a_location_the_servers_date_is_used():
    evening = dt.datetime(2026, 12, 4, 3, 30, tzinfo=dt.UTC)
    assert clinic_today(now=evening) == timezone.localdate(evening)


def _far_from_utc():
    """A zone whose date differs from UTC's right now, whatever the hour."""
    return "Etc/GMT+12" if timezone.now().hour < 12 else "Pacific/Kiritimati"


def test_entries_and_invoices_default_to_the_clinic_day():
    make_location(time_zone=_far_from_utc())
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=100, by=desk)
    payment = ledger.record_payment(patient, amount=100, method="card", by=desk)
    invoice = invoices.issue_invoice(patient, [charge], by=desk)

    assert clinic_today() != timezone.now().date()
    assert charge.occurred_on == payment.occurred_on == invoice.issued_on == clinic_today()
