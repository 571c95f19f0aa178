import datetime as dt

import pytest

from sotclinic.accounts.models import Role
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

TEN = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))
    return client


def _form(doctor, kind, location, patient, start, end):
    return {
        "practitioner": doctor.pk,
        "patient": patient.pk,
        "location": location.pk,
        "appointment_type": kind.pk,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.strftime("%Y-%m-%d"),
        "end_1": end.strftime("%H:%M:%S"),
        "status": "booked",
    }


def test_admin_refuses_an_overlapping_appointment_with_a_message(admin_client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location, display_name="Dr. Weber")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    make_appointment(doctor, TEN, kind=kind, location=location)
    clash = TEN + dt.timedelta(minutes=35)  # inside the first one's clean-up time

    response = admin_client.post(
        "/admin/scheduling/appointment/add/",
        _form(doctor, kind, location, make_patient(), clash, clash + dt.timedelta(minutes=30)),
    )

    assert response.status_code == 200
    assert "Dr. Weber already has an appointment from 10:00 to 10:40" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_admin_saves_an_appointment_after_the_clean_up_time(admin_client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    make_appointment(doctor, TEN, kind=kind, location=location)
    free = TEN + dt.timedelta(minutes=40)

    response = admin_client.post(
        "/admin/scheduling/appointment/add/",
        _form(doctor, kind, location, make_patient(), free, free + dt.timedelta(minutes=30)),
    )

    assert response.status_code == 302
    assert Appointment.objects.count() == 2


def test_admin_adding_an_appointment_as_cancelled_asks_why(admin_client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    form = _form(doctor, kind, location, make_patient(), TEN, TEN + dt.timedelta(minutes=30))

    response = admin_client.post(
        "/admin/scheduling/appointment/add/", {**form, "status": "cancelled"}
    )

    assert response.status_code == 200
    assert "Choose why it is cancelled." in response.content.decode()
    assert not Appointment.objects.exists()
