import io

import pytest
from django.apps import apps
from django.core.management import call_command

from sotclinic.accounts.models import Role, User
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment, AppointmentType, Practitioner

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "admin", "contenttypes"}
    }


def test_demo_twice_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    first = _row_counts()

    call_command("demo", stdout=io.StringIO())

    assert _row_counts() == first


def test_demo_clinic_has_what_the_readme_promises():
    call_command("demo", stdout=io.StringIO())

    assert Practitioner.objects.count() == 2
    assert all(p.weekly_hours.exists() for p in Practitioner.objects.all())
    assert User.objects.filter(role=Role.FRONT_DESK).exists()
    assert {(t.name, t.duration_minutes) for t in AppointmentType.objects.all()} == {
        ("New-patient exam", 45),
        ("Follow-up", 20),
    }
    assert 28 <= Patient.objects.count() <= 35
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"completed", "booked"} <= statuses


def test_demo_appointments_never_overlap_for_one_practitioner():
    call_command("demo", stdout=io.StringIO())

    for practitioner in Practitioner.objects.all():
        appointments = list(practitioner.appointments.order_by("start"))
        for earlier, later in zip(appointments, appointments[1:], strict=False):
            assert earlier.end <= later.start


def test_demo_logins_work_with_the_printed_password(client):
    call_command("demo", stdout=io.StringIO())

    assert client.login(username="anna", password="sotclinic-demo")
    assert client.get("/staff/").status_code == 200
