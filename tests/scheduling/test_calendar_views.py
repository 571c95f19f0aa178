"""The staff calendar: day and week views, create, move, cancel, statuses; the feed."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
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
def clinic(client):
    location = make_location()
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="Follow-up", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    client.force_login(make_user(Role.FRONT_DESK))
    return location, doctor, kind, day, ten


def test_week_and_day_views_show_appointments(client, clinic):
    location, doctor, kind, day, ten = clinic
    patient = make_patient(first_name="Olivia", last_name="Smith")
    make_appointment(doctor, ten, patient=patient, kind=kind, location=location)

    week = client.get(f"/staff/calendar/?view=week&practitioner={doctor.pk}&date={day}")
    day_view = client.get(f"/staff/calendar/?view=day&date={day}")

    assert week.status_code == day_view.status_code == 200
    assert "Olivia Smith" in week.text and "10:00" in week.text
    assert "Olivia Smith" in day_view.text and "Dr. Anna Weber" in day_view.text


def test_create_appointment(client, clinic):
    location, doctor, kind, day, _ = clinic
    patient = make_patient()

    response = client.post(
        "/staff/appointments/new/",
        {
            "patient": patient.pk,
            "appointment_type": kind.pk,
            "practitioner": doctor.pk,
            "location": location.pk,
            "date": day.isoformat(),
            "time": "11:15",
        },
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start.astimezone(location.tz).time() == dt.time(11, 15)


def test_overlapping_create_is_refused_with_a_clear_message(client, clinic):
    location, doctor, kind, day, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location)

    response = client.post(
        "/staff/appointments/new/",
        {
            "patient": make_patient().pk,
            "appointment_type": kind.pk,
            "practitioner": doctor.pk,
            "location": location.pk,
            "date": day.isoformat(),
            "time": "10:15",
        },
    )

    assert response.status_code == 409
    assert "Dr. Anna Weber already has an appointment from 10:00 to 10:40" in response.text
    assert Appointment.objects.count() == 1


def test_past_time_is_refused(client, clinic):
    location, doctor, kind, _, _ = clinic

    response = client.post(
        "/staff/appointments/new/",
        {
            "patient": make_patient().pk,
            "appointment_type": kind.pk,
            "practitioner": doctor.pk,
            "location": location.pk,
            "date": "2020-01-01",
            "time": "10:00",
        },
    )

    assert response.status_code == 422
    assert "in the past" in response.text
    assert Appointment.objects.count() == 0


def test_move_appointment(client, clinic):
    location, doctor, kind, day, ten = clinic
    appointment = make_appointment(doctor, ten, kind=kind, location=location)

    response = client.post(
        f"/staff/appointments/{appointment.pk}/",
        {"practitioner": doctor.pk, "date": day.isoformat(), "time": "14:00"},
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start.astimezone(location.tz).time() == dt.time(14, 0)


def test_mark_arrived_completed_and_cancel(client, clinic):
    location, doctor, kind, _, ten = clinic
    started = timezone.now() - dt.timedelta(minutes=5)
    first = make_appointment(doctor, started, kind=kind, location=location)
    second = make_appointment(doctor, ten + dt.timedelta(hours=2), kind=kind, location=location)

    client.post(f"/staff/appointments/{first.pk}/status/", {"action": "arrived"})
    client.post(f"/staff/appointments/{first.pk}/status/", {"action": "completed"})
    client.post(f"/staff/appointments/{second.pk}/cancel/", {"reason": "travel"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Appointment.Status.COMPLETED
    assert second.status == Appointment.Status.CANCELLED


def test_no_show(client, clinic):
    location, doctor, kind, _, ten = clinic
    started = timezone.now() - dt.timedelta(minutes=30)
    appointment = make_appointment(doctor, started, kind=kind, location=location)

    client.post(f"/staff/appointments/{appointment.pk}/status/", {"action": "no_show"})

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


def test_patients_cannot_open_the_calendar(client, clinic):
    client.force_login(make_user(Role.PATIENT))

    assert client.get("/staff/calendar/").status_code == 403


def test_calendar_feed_shows_times_and_initials_only_and_can_be_revoked(client, clinic):
    location, doctor, kind, _, ten = clinic
    patient = make_patient(first_name="Olivia", last_name="Smith", phone="+44 117 496 0001")
    make_appointment(doctor, ten, patient=patient, kind=kind, location=location)
    client.force_login(doctor.user)
    client.post("/staff/calendar-feed/", {"action": "new"})
    doctor.refresh_from_db()
    url = f"/calendar/{doctor.calendar_feed_token}.ics"

    feed = client.get(url)
    client.post("/staff/calendar-feed/", {"action": "revoke"})
    after = client.get(url)

    assert feed.status_code == 200
    body = feed.content.decode()
    assert "SUMMARY:OS" in body and "DTSTART" in body
    assert "Olivia" not in body and "Smith" not in body and "Follow-up" not in body
    assert "496 0001" not in body and "4960001" not in body
    assert after.status_code == 404


def test_unknown_feed_token_is_404(client):
    assert client.get("/calendar/not-a-real-token-but-long-enough.ics").status_code == 404


def test_new_appointment_page_preselects_the_patient_it_was_opened_for(client, clinic):
    patient = make_patient(first_name="Preselected", last_name="Person")

    response = client.get(f"/staff/appointments/new/?patient={patient.pk}")

    assert response.status_code == 200
    assert f'name="patient" value="{patient.pk}" checked' in response.text


def test_appointment_page_shows_the_time_in_the_location_zone(client):
    berlin = make_location(time_zone="Europe/Berlin")
    doctor = make_open_practitioner(berlin)
    kind = make_appointment_type([doctor], duration_minutes=30)
    day = timezone.now().astimezone(berlin.tz).date() + dt.timedelta(days=2)
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=berlin.tz)
    appointment = make_appointment(doctor, ten.astimezone(dt.UTC), kind=kind, location=berlin)
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/appointments/{appointment.pk}/").text

    assert "10:00–10:30 (Europe/Berlin)" in page
