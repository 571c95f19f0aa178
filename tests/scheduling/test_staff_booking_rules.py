"""Staff bookings: outside opening hours only with a recorded override; no moves into the
past; arrived, completed and no-show not before their time."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import ChangeNotAllowed, OutsideOpeningHours
from sotclinic.scheduling.models import Appointment, AvailabilityException, WeeklyBreak
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
    location = make_location(name="Harbour Street", time_zone="Europe/London")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber", end="17:00")
    kind = make_appointment_type([doctor], name="Follow-up", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    for weekday in range(7):
        WeeklyBreak.objects.create(
            practitioner=doctor,
            location=location,
            weekday=weekday,
            start_time=dt.time(12, 0),
            end_time=dt.time(13, 0),
        )
    desk = make_user(Role.FRONT_DESK)
    client.force_login(desk)
    return location, doctor, kind, day, desk


def _new(location, doctor, kind, day, time, **extra) -> dict:
    return {
        "patient": make_patient().pk,
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "location": location.pk,
        "date": day.isoformat(),
        "time": time,
        **extra,
    }


@pytest.mark.parametrize(
    "time", ["18:00", "08:30", "12:15", "16:45"], ids=["evening", "early", "break", "overruns"]
)
def test_booking_outside_opening_hours_is_refused_with_a_warning_and_the_override(
    client, clinic, time
):
    location, doctor, kind, day, _ = clinic

    response = client.post("/staff/appointments/new/", _new(location, doctor, kind, day, time))

    assert response.status_code == 422
    assert "outside Dr. Anna Weber&#x27;s opening hours" in response.text
    assert 'type="checkbox" name="outside_hours"' in response.text
    assert Appointment.objects.count() == 0


def test_booking_outside_opening_hours_with_the_override_records_who_and_when(client, clinic):
    location, doctor, kind, day, desk = clinic
    before = timezone.now()

    response = client.post(
        "/staff/appointments/new/",
        _new(location, doctor, kind, day, "18:00", outside_hours="on"),
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.outside_hours_by == desk
    assert appointment.outside_hours_at >= before
    detail = client.get(f"/staff/appointments/{appointment.pk}/")
    assert "Booked outside opening hours by" in detail.text


def test_booking_inside_opening_hours_needs_no_override_and_records_none(client, clinic):
    location, doctor, kind, day, _ = clinic

    response = client.post("/staff/appointments/new/", _new(location, doctor, kind, day, "10:10"))

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.outside_hours_by is None and appointment.outside_hours_at is None


def test_new_appointment_form_does_not_offer_the_override_before_the_warning(client, clinic):
    response = client.get("/staff/appointments/new/")

    assert 'type="checkbox" name="outside_hours"' not in response.text


def test_a_day_off_counts_as_outside_opening_hours(clinic):
    location, doctor, kind, day, _ = clinic
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.DAY_OFF, practitioner=doctor, first_day=day, last_day=day
    )
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)

    with pytest.raises(OutsideOpeningHours):
        services.book_appointment(
            patient=make_patient(),
            practitioner=doctor,
            appointment_type=kind,
            location=location,
            start=start,
        )


def test_extra_hours_are_opening_hours(clinic):
    location, doctor, kind, day, _ = clinic
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.EXTRA_HOURS,
        practitioner=doctor,
        location=location,
        first_day=day,
        last_day=day,
        start_time=dt.time(17, 0),
        end_time=dt.time(19, 0),
    )
    start = dt.datetime.combine(day, dt.time(16, 45), tzinfo=location.tz)

    appointment = services.book_appointment(
        patient=make_patient(),
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=start,
    )

    assert appointment.outside_hours_by is None


def test_moving_into_a_break_needs_the_override(client, clinic):
    location, doctor, kind, day, desk = clinic
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    move = {"practitioner": doctor.pk, "date": day.isoformat(), "time": "12:00"}

    refused = client.post(f"/staff/appointments/{appointment.pk}/", move)
    moved = client.post(f"/staff/appointments/{appointment.pk}/", {**move, "outside_hours": "on"})

    assert refused.status_code == 422
    assert "opening hours" in refused.text
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start.astimezone(location.tz).time() == dt.time(12, 0)
    assert appointment.outside_hours_by == desk


def test_moving_an_appointment_into_the_past_is_refused(client, clinic):
    location, doctor, kind, day, _ = clinic
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    yesterday = timezone.now().astimezone(location.tz).date() - dt.timedelta(days=1)

    response = client.post(
        f"/staff/appointments/{appointment.pk}/",
        {"practitioner": doctor.pk, "date": yesterday.isoformat(), "time": "10:00"},
    )

    assert response.status_code == 422
    assert "in the past" in response.text
    appointment.refresh_from_db()
    assert appointment.start == ten


def test_moving_an_appointment_to_an_hour_ago_is_refused_even_outside_hours(client, clinic):
    location, doctor, kind, day, _ = clinic
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    an_hour_ago = (timezone.now() - dt.timedelta(hours=1)).astimezone(location.tz)

    response = client.post(
        f"/staff/appointments/{appointment.pk}/",
        {
            "practitioner": doctor.pk,
            "date": an_hour_ago.date().isoformat(),
            "time": an_hour_ago.strftime("%H:%M"),
            "outside_hours": "on",
        },
    )

    assert response.status_code == 422
    assert "in the past" in response.text
    appointment.refresh_from_db()
    assert appointment.start == ten


@pytest.mark.parametrize("action", ["arrived", "no_show", "completed"])
def test_tomorrows_appointment_cannot_be_marked_yet(client, clinic, action):
    location, doctor, kind, _, _ = clinic
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz)
    appointment = make_appointment(doctor, start, kind=kind, location=location)

    response = client.post(
        f"/staff/appointments/{appointment.pk}/status/", {"action": action}, follow=True
    )

    assert "it can be marked" in response.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_no_show_waits_for_the_start_but_arrived_may_come_early(clinic):
    location, doctor, kind, _, _ = clinic
    start = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)
    early = make_appointment(doctor, start, kind=kind, location=location)
    later = make_appointment(doctor, start + dt.timedelta(hours=2), kind=kind, location=location)
    nine = start - dt.timedelta(hours=1)

    with pytest.raises(ChangeNotAllowed, match="no-show once that time has passed"):
        services.mark_appointment(later, Appointment.Status.NO_SHOW, now=nine)
    services.mark_appointment(early, Appointment.Status.ARRIVED, now=nine)

    early.refresh_from_db()
    assert early.status == Appointment.Status.ARRIVED
