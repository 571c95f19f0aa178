"""Series booking: every conflict listed before anything is written, skip or another time
per conflict, the series written in one transaction."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.scheduling import series
from sotclinic.scheduling.errors import BookingError, SlotTaken
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
def clinic():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    today = timezone.now().astimezone(location.tz).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    return location, anna, kind, monday


def _at(location, day, hhmm="10:00"):
    local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
    return local.astimezone(dt.UTC)


def test_series_starts_twice_a_week_for_three_weeks(clinic):
    location, _, _, monday = clinic

    starts = series.series_starts(
        monday + dt.timedelta(days=1), dt.time(10), [0, 3], 3, location.tz
    )

    days = [s.astimezone(location.tz).date() for s in starts]
    assert days == [
        monday + dt.timedelta(days=3),  # the Monday before the first day is left out
        monday + dt.timedelta(days=7),
        monday + dt.timedelta(days=10),
        monday + dt.timedelta(days=14),
        monday + dt.timedelta(days=17),
    ]


def test_plan_lists_every_conflict_and_writes_nothing(clinic):
    location, anna, kind, monday = clinic
    make_appointment(
        anna, _at(location, monday + dt.timedelta(days=7)), kind=kind, location=location
    )
    starts = series.series_starts(monday, dt.time(10), [0], 3, location.tz)
    starts.append(_at(location, monday + dt.timedelta(days=1), "20:00"))

    plan = series.plan_series(
        practitioner=anna, appointment_type=kind, location=location, starts=starts
    )

    conflicts = [(o.start, o.conflict) for o in plan if o.conflict]
    assert len(plan) == 4 and len(conflicts) == 2
    assert "already has an appointment" in conflicts[1][1]
    assert "outside Dr. Anna Weber's opening hours" in conflicts[0][1]
    assert Appointment.objects.count() == 1


def test_occurrences_of_one_series_may_not_overlap_each_other(clinic):
    location, anna, kind, monday = clinic
    start = _at(location, monday)

    plan = series.plan_series(
        practitioner=anna,
        appointment_type=kind,
        location=location,
        starts=[start, start + dt.timedelta(minutes=15)],
    )

    assert [bool(o.conflict) for o in plan] == [False, True]


def test_a_refusal_while_booking_undoes_the_whole_series(clinic):
    location, anna, kind, monday = clinic
    taken = _at(location, monday + dt.timedelta(days=7))
    make_appointment(anna, taken, kind=kind, location=location)

    with pytest.raises(SlotTaken):
        series.book_series(
            patient=make_patient(),
            practitioner=anna,
            appointment_type=kind,
            location=location,
            starts=[_at(location, monday), taken],
        )

    assert Appointment.objects.count() == 1


def test_front_desk_skips_one_conflict_and_moves_another(client, clinic):
    location, anna, kind, monday = clinic
    for week in (1, 2):
        day = monday + dt.timedelta(weeks=week)
        make_appointment(anna, _at(location, day), kind=kind, location=location)
    patient = make_patient(first_name="Olivia", last_name="Smith")
    client.force_login(make_user(Role.FRONT_DESK))
    asked = {
        "patient": patient.pk,
        "appointment_type": kind.pk,
        "practitioner": anna.pk,
        "location": location.pk,
        "first_day": monday.isoformat(),
        "time": "10:00",
        "weekdays": ["0"],
        "weeks": "4",
    }

    checked = client.post("/staff/appointments/series/", {**asked, "action": "check"})
    nothing_yet = Appointment.objects.filter(patient=patient).count()
    booked = client.post(
        "/staff/appointments/series/",
        {
            **asked,
            "action": "book",
            **{
                f"start-{n:03d}": _at(location, monday + dt.timedelta(weeks=n)).isoformat()
                for n in range(4)
            },
            "choice-001": "skip",
            "choice-002": "move",
            "date-002": (monday + dt.timedelta(weeks=2)).isoformat(),
            "time-002": "11:00",
        },
    )

    assert checked.status_code == 409
    assert "2 times cannot be booked as asked" in checked.text
    assert nothing_yet == 0
    assert booked.status_code == 302
    times = sorted(
        a.start.astimezone(location.tz).strftime("%d %H:%M")
        for a in Appointment.objects.filter(patient=patient)
    )
    expected = sorted(
        (monday + dt.timedelta(weeks=w)).strftime("%d ") + t
        for w, t in ((0, "10:00"), (2, "11:00"), (3, "10:00"))
    )
    assert times == expected


def test_a_move_onto_another_taken_time_is_shown_again_and_nothing_is_booked(client, clinic):
    location, anna, kind, monday = clinic
    make_appointment(anna, _at(location, monday), kind=kind, location=location)
    make_appointment(anna, _at(location, monday, "11:00"), kind=kind, location=location)
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(
        "/staff/appointments/series/",
        {
            "patient": patient.pk,
            "appointment_type": kind.pk,
            "practitioner": anna.pk,
            "location": location.pk,
            "first_day": monday.isoformat(),
            "time": "10:00",
            "weekdays": ["0"],
            "weeks": "1",
            "action": "book",
            "start-000": _at(location, monday).isoformat(),
            "choice-000": "move",
            "date-000": monday.isoformat(),
            "time-000": "11:00",
        },
    )

    assert response.status_code == 409
    assert "already has an appointment" in response.text
    assert Appointment.objects.filter(patient=patient).count() == 0


def test_series_without_weekdays_is_refused_with_the_field_named(client, clinic):
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post("/staff/appointments/series/", {"action": "check", "weeks": "2"})

    assert response.status_code == 422
    assert "Tick at least one weekday." in response.text
    assert "Choose a patient." in response.text


def test_plan_names_a_time_in_the_past(clinic):
    location, anna, kind, _ = clinic
    past = timezone.now() - dt.timedelta(hours=1)

    [occurrence] = series.plan_series(
        practitioner=anna, appointment_type=kind, location=location, starts=[past]
    )

    assert occurrence.conflict == "That time is in the past."


def test_a_series_with_nothing_left_to_book_is_refused(clinic):
    location, anna, kind, _ = clinic

    with pytest.raises(BookingError, match="no appointment left"):
        series.book_series(
            patient=make_patient(),
            practitioner=anna,
            appointment_type=kind,
            location=location,
            starts=[],
        )
    assert not Appointment.objects.exists()
