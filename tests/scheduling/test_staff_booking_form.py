"""Staff booking: patient search as you type, a new patient registered inline, and the
free-time finder."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client):
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "12:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    client.force_login(make_user(Role.FRONT_DESK))
    return location, anna, kind, day


def _booking(location, anna, kind, day, **extra):
    return {
        "appointment_type": kind.pk,
        "practitioner": anna.pk,
        "location": location.pk,
        "date": day.isoformat(),
        "time": "10:00",
        **extra,
    }


def test_patient_search_offers_matching_patients_as_choices(client, desk):
    henry = make_patient(first_name="Henry", last_name="Clarke")
    make_patient(first_name="Olivia", last_name="Smith")

    found = client.get("/staff/appointments/patients/?q=clar", HTTP_HX_REQUEST="true")
    nobody = client.get("/staff/appointments/patients/?q=zzz")

    assert f'name="patient" value="{henry.pk}"' in found.text and "Clarke, Henry" in found.text
    assert "Smith" not in found.text
    assert "No patient matches" in nobody.text


def test_booking_for_a_new_patient_registers_and_books_together(client, desk):
    location, anna, kind, day = desk
    new = {
        "register_new": "on",
        "new-first_name": "Maya",
        "new-last_name": "Brook",
        "new-date_of_birth": "1990-04-02",
        "new-email": "maya@example.com",
        "new-phone": "",
        "new-address": "",
    }

    response = client.post("/staff/appointments/new/", _booking(location, anna, kind, day, **new))

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.patient.full_name == "Maya Brook"
    assert AccessLog.objects.filter(patient=appointment.patient).exists()


def test_a_refused_booking_registers_nobody(client, desk):
    location, anna, kind, day = desk
    make_appointment(anna, dt.datetime.combine(day, dt.time(10), tzinfo=location.tz), kind=kind)
    new = {
        "register_new": "on",
        "new-first_name": "Maya",
        "new-last_name": "Brook",
        "new-date_of_birth": "1990-04-02",
        "new-email": "maya@example.com",
    }

    response = client.post("/staff/appointments/new/", _booking(location, anna, kind, day, **new))

    assert response.status_code == 409
    assert not Patient.objects.filter(last_name="Brook").exists()


def test_a_new_patient_matching_a_registered_one_is_refused_on_the_new_patient_form(client, desk):
    location, anna, kind, day = desk
    make_patient(
        first_name="Maya",
        last_name="Brook",
        email="maya@example.com",
        date_of_birth=dt.date(1990, 4, 2),
    )
    new = {
        "register_new": "on",
        "new-first_name": "Maya",
        "new-last_name": "Brooke",
        "new-date_of_birth": "1990-04-02",
        "new-email": "maya@example.com",
    }

    response = client.post("/staff/appointments/new/", _booking(location, anna, kind, day, **new))

    assert response.status_code == 409
    assert "already registered" in response.text
    assert Appointment.objects.count() == 0


def test_new_patient_with_bad_details_is_refused_with_the_fields_named(client, desk):
    location, anna, kind, day = desk
    new = {"register_new": "on", "new-first_name": "", "new-last_name": "Brook"}

    response = client.post("/staff/appointments/new/", _booking(location, anna, kind, day, **new))

    assert response.status_code == 422
    assert "Enter the first name." in response.text
    assert Patient.objects.count() == 0


def test_booking_without_a_patient_asks_for_one(client, desk):
    location, anna, kind, day = desk

    response = client.post("/staff/appointments/new/", _booking(location, anna, kind, day))

    assert response.status_code == 422
    assert "Choose a patient, or register a new one." in response.text


def test_free_time_finder_lists_the_next_free_times_for_the_type(client, desk):
    location, anna, kind, day = desk
    for hour in (9, 10, 11):
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=location.tz)
        make_appointment(anna, start.astimezone(dt.UTC), kind=kind, location=location)

    response = client.get(
        f"/staff/appointments/free-times/?appointment_type={kind.pk}&practitioner={anna.pk}"
        f"&location={location.pk}&date={day}"
    )

    assert response.status_code == 200
    assert f'data-fill-date="{day}" data-fill-time="09:30"' in response.text
    assert f'data-fill-date="{day}" data-fill-time="10:00"' not in response.text
    assert "Dr. Anna Weber" in response.text


def test_free_time_finder_asks_for_a_type(client, desk):
    response = client.get("/staff/appointments/free-times/?practitioner=")

    assert response.status_code == 422
    assert "Choose an appointment type first." in response.text
