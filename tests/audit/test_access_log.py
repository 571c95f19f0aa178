import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action, AuditImmutable
from sotclinic.audit.requests import log_access
from sotclinic.audit.services import record_access
from sotclinic.audit.triggers import installed_guard_names
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db


def _row():
    user = make_user(Role.PRACTITIONER)
    return record_access(user, make_patient(), Action.VIEW_CHART, "chart")


def test_log_access_from_a_request_keeps_who_what_when_and_address():
    user = make_user(Role.PRACTITIONER, username="anna")
    patient = make_patient()
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = user

    row = log_access(request, patient, Action.VIEW_INTAKES, "intake 3")

    stored = AccessLog.objects.get(pk=row.pk)
    assert (stored.user, stored.username, stored.patient) == (user, "anna", patient)
    assert (stored.action, stored.detail, stored.ip_address) == (
        Action.VIEW_INTAKES,
        "intake 3",
        "192.0.2.7",
    )
    assert stored.occurred_at is not None


def test_saving_an_existing_row_again_is_refused():
    row = _row()
    row.detail = "rewritten"

    with pytest.raises(AuditImmutable):
        row.save()

    assert AccessLog.objects.get(pk=row.pk).detail == "chart"


def test_deleting_a_row_is_refused():
    row = _row()

    with pytest.raises(AuditImmutable):
        row.delete()
    with pytest.raises(AuditImmutable):
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AuditImmutable):
        AccessLog.objects.filter(pk=row.pk).update(detail="x")

    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_database_refuses_update_and_delete_of_audit_rows():
    row = _row()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslog SET detail = 'x' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [row.pk])

    assert AccessLog.objects.get(pk=row.pk).detail == "chart"


def test_back_office_offers_no_way_to_add_change_or_delete_rows():
    admin_user = make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[AccessLog]
    row = _row()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    assert not model_admin.get_actions(request)


def test_back_office_change_page_does_not_save_a_post(client):
    admin_user = make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    row = _row()

    response = client.post(
        f"/admin/audit/accesslog/{row.pk}/change/", {"detail": "rewritten", "action": "x"}
    )
    delete = client.post(f"/admin/audit/accesslog/{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert delete.status_code == 403
    assert AccessLog.objects.get(pk=row.pk).detail == "chart"


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_works_and_keeps_the_guards():
    _row()
    before = installed_guard_names(connection)

    call_command("flush", interactive=False, verbosity=0)

    assert AccessLog.objects.count() == 0
    assert installed_guard_names(connection) == before
