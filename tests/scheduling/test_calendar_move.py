"""Moving from the calendar (drag and drop, move dialog): the move form's rules and messages."""

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
    make_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def booked(client):
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00", display_name="Dr. Anna Weber")
    ben = make_open_practitioner(location, "09:00", "17:00", display_name="Dr. Ben Okafor")
    kind = make_appointment_type([anna, ben], duration_minutes=30, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    ten = dt.datetime.combine(day, dt.time(10), tzinfo=location.tz).astimezone(dt.UTC)
    appointment = make_appointment(anna, ten, kind=kind, location=location)
    other = make_appointment(ben, ten + dt.timedelta(hours=2), kind=kind, location=location)
    client.force_login(make_user(Role.FRONT_DESK))
    return appointment, other, anna, ben, day


def test_drop_on_a_free_time_of_another_practitioner_moves_it(client, booked):
    appointment, _, _, ben, day = booked

    response = client.post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"practitioner": ben.pk, "date": day, "time": "14:15"},
        **HTMX,
    )

    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.practitioner == ben
    assert appointment.start.astimezone(appointment.location.tz).time() == dt.time(14, 15)
    assert appointment.changes.filter(action="moved").count() == 1


def test_drop_on_a_taken_time_says_who_is_booked_then_and_changes_nothing(client, booked):
    appointment, _, _, ben, day = booked

    response = client.post(
        f"/staff/appointments/{appointment.pk}/move/",
        {"practitioner": ben.pk, "date": day, "time": "12:15"},
        **HTMX,
    )

    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert "Dr. Ben Okafor already has an appointment from 12:00 to 12:30" in response.text
    appointment.refresh_from_db()
    assert appointment.start.astimezone(appointment.location.tz).time() == dt.time(10)


def test_drop_outside_opening_hours_offers_the_override_which_then_moves_it(client, booked):
    appointment, _, anna, _, day = booked
    url = f"/staff/appointments/{appointment.pk}/move/"
    evening = {"practitioner": anna.pk, "date": day, "time": "18:00"}

    refused = client.post(url, evening, **HTMX)
    anyway = client.post(url, {**evening, "outside_hours": "on"}, **HTMX)

    assert refused.status_code == 422
    assert "outside Dr. Anna Weber&#x27;s opening hours" in refused.text
    assert "data-move-anyway" in refused.text
    assert anyway.status_code == 200
    appointment.refresh_from_db()
    assert appointment.outside_hours_at is not None


def test_incomplete_move_is_refused_with_the_fields_named(client, booked):
    appointment, *_ = booked

    response = client.post(f"/staff/appointments/{appointment.pk}/move/", {"time": "x"}, **HTMX)

    assert response.status_code == 422
    assert "This field is required." in response.text


def test_plain_form_post_goes_back_to_the_calendar_with_the_message(client, booked):
    appointment, _, _, ben, day = booked
    url = f"/staff/appointments/{appointment.pk}/move/"

    refused = client.post(url, {"practitioner": ben.pk, "date": day, "time": "12:00"}, follow=True)
    moved = client.post(url, {"practitioner": ben.pk, "date": day, "time": "15:00"}, follow=True)

    assert "already has an appointment" in refused.text
    assert "Appointment moved." in moved.text
    assert Appointment.objects.get(pk=appointment.pk).practitioner == ben


def test_calendar_marks_only_booked_appointments_movable(client, booked):
    appointment, other, *_ = booked
    Appointment.objects.filter(pk=other.pk).update(status="arrived")
    day = appointment.start.astimezone(appointment.location.tz).date()

    page = client.get(f"/staff/calendar/?view=day&date={day}").text

    assert page.count('draggable="true"') == 1
    assert f'data-move-for="{appointment.pk}"' in page
    assert f'data-move-for="{other.pk}"' not in page
