"""A booked series: move one and all that follow it by as much, with every conflict shown
before anything is written and one message to the patient; cancel one and all that follow
for one reason, each flagged late by its own start."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.messaging.models import Message
from sotclinic.scheduling import series
from sotclinic.scheduling.errors import BookingError, SlotTaken
from sotclinic.scheduling.models import Appointment, AppointmentChange, ClinicSettings
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
def booked():
    """Olivia's series: Mondays and Thursdays at 10:00 for three weeks from next Monday."""
    location = make_location()
    anna = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    today = timezone.now().astimezone(location.tz).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    olivia = make_patient(first_name="Olivia", last_name="Smith")
    starts = series.series_starts(monday, dt.time(10), [0, 3], 3, location.tz)
    appointments = series.book_series(
        patient=olivia, practitioner=anna, appointment_type=kind, location=location, starts=starts
    )
    return {
        "location": location,
        "anna": anna,
        "kind": kind,
        "monday": monday,
        "patient": olivia,
        "appointments": appointments,
    }


def _at(location, day, hhmm):
    local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
    return local.astimezone(dt.UTC)


def _local(appointment):
    return appointment.start.astimezone(appointment.location.tz)


def test_a_booked_series_is_recorded_as_one(booked):
    appointments = booked["appointments"]

    series_ids = {a.series_id for a in Appointment.objects.filter(patient=booked["patient"])}

    assert len(appointments) == 6 and len(series_ids) == 1 and None not in series_ids
    third = appointments[2]
    assert [a.pk for a in series.following(third)] == [a.pk for a in appointments[2:]]


def test_a_single_appointment_is_its_own_following(booked):
    alone = make_appointment(booked["anna"], _at(booked["location"], booked["monday"], "15:00"))

    assert series.following(alone) == [alone]


def test_moving_all_following_shifts_each_by_as_much_and_sends_one_message(booked):
    appointments = booked["appointments"]
    third = appointments[2]  # the second Monday
    new_start = _at(booked["location"], _local(third).date() + dt.timedelta(days=1), "11:30")
    shift = series.local_shift(third, new_start)
    following = series.following(third)
    before = Message.objects.count()

    moved = series.move_following({a: series.shifted(a, shift) for a in following})

    assert [(_local(a).weekday(), _local(a).time()) for a in moved] == [
        (1, dt.time(11, 30)),
        (4, dt.time(11, 30)),
        (1, dt.time(11, 30)),
        (4, dt.time(11, 30)),
    ]
    untouched = Appointment.objects.get(pk=appointments[0].pk)
    assert _local(untouched).time() == dt.time(10)
    sent = Message.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert [m.kind for m in sent] == ["booking.series_moved"]
    assert sent[0].subject.endswith("have moved")
    assert "These 4 appointments have moved" in sent[0].body
    assert AppointmentChange.objects.filter(action="moved").count() == 4


def test_every_conflict_is_shown_before_anything_moves(booked):
    location, anna = booked["location"], booked["anna"]
    appointments = booked["appointments"]
    # Someone else at 12:00 on the second and third Tuesday.
    for week in (1, 2):
        make_appointment(
            anna, _at(location, booked["monday"] + dt.timedelta(weeks=week, days=1), "12:00")
        )
    shift = dt.timedelta(days=1, hours=2)
    moves = {a: series.shifted(a, shift) for a in series.following(appointments[0])}

    plan = series.plan_move(moves)

    conflicts = [p for p in plan if p.conflict]
    assert len(plan) == 6 and len(conflicts) == 2
    assert "already has an appointment" in conflicts[0].conflict
    with pytest.raises(SlotTaken):
        series.move_following(moves)
    assert {_local(a).time() for a in Appointment.objects.filter(series__isnull=False)} == {
        dt.time(10)
    }


def test_skipping_a_conflict_moves_the_others(booked):
    location, anna = booked["location"], booked["anna"]
    appointments = booked["appointments"]
    make_appointment(anna, _at(location, booked["monday"] + dt.timedelta(days=1), "12:00"))
    shift = dt.timedelta(days=1, hours=2)
    moves = {a: series.shifted(a, shift) for a in appointments}
    refused = [p.appointment for p in series.plan_move(moves) if p.conflict]
    assert refused == [appointments[0]]

    series.move_following({a: s for a, s in moves.items() if a not in refused})

    times = [_local(a).time() for a in Appointment.objects.filter(series__isnull=False)]
    assert times == [dt.time(10)] + [dt.time(12)] * 5


def test_moves_onto_each_others_old_times_succeed(booked):
    """Thursday moves to the next Monday's time while that Monday moves on: the order of the
    writes lets no appointment land on a time not yet freed."""
    appointments = booked["appointments"]
    moves = {a: series.shifted(a, dt.timedelta(days=4)) for a in appointments}

    moved = series.move_following(moves)

    assert [_local(a).date() for a in moved] == [
        _local(a).date() + dt.timedelta(days=4) for a in appointments
    ]


def test_moved_appointments_may_not_overlap_each_other(booked):
    first, second = booked["appointments"][:2]
    same = _at(booked["location"], booked["monday"] + dt.timedelta(days=2), "09:00")

    plan = series.plan_move({first: same, second: same})

    assert [p.conflict for p in plan][1] == "Overlaps another appointment of this series."


def test_nothing_to_move_is_refused():
    with pytest.raises(BookingError):
        series.move_following({})
    with pytest.raises(BookingError):
        series.cancel_following([], reason="illness")


def test_cancelling_all_following_takes_one_reason_and_flags_each_by_its_start(booked):
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"cancellation_window_hours": 720, "reminder_hours": 744}
    )
    appointments = booked["appointments"]
    before = Message.objects.count()
    # Far away: only what starts within 720 hours (30 days) is late.
    last = appointments[-1]
    later = dt.timedelta(days=40)
    Appointment.objects.filter(pk=last.pk).update(
        start=last.start + later, end=last.end + later, blocked_until=last.blocked_until + later
    )

    cancelled = series.cancel_following(series.following(appointments[3]), reason="travel")

    assert len(cancelled) == 3
    rows = Appointment.objects.filter(pk__in=[a.pk for a in cancelled]).order_by("start")
    assert {a.status for a in rows} == {"cancelled"}
    assert {a.cancellation_reason for a in rows} == {"travel"}
    assert [a.cancelled_late for a in rows] == [True, True, False]
    assert all(a.cancelled_at is not None for a in rows)
    assert Appointment.objects.filter(pk=appointments[2].pk, status="booked").exists()
    sent = list(Message.objects.order_by("pk")[before:])
    assert [m.kind for m in sent] == ["booking.series_cancelled"]
    assert "These 3 appointments are cancelled" in sent[0].body


# --- The pages --------------------------------------------------------------------------------


@pytest.fixture
def front_desk(client):
    client.force_login(make_user(Role.FRONT_DESK))
    return client


def test_the_appointment_page_offers_this_and_all_following(front_desk, booked):
    third = booked["appointments"][2]

    page = front_desk.get(reverse("scheduling:appointment", args=[third.pk])).content.decode()

    assert "Move this and the following (4)" in page
    assert "Cancel this and the following (4)" in page


def test_the_move_page_lists_conflicts_then_moves_with_one_skipped(front_desk, booked):
    location, anna = booked["location"], booked["anna"]
    appointments = booked["appointments"]
    make_appointment(anna, _at(location, booked["monday"] + dt.timedelta(days=8), "11:00"))
    url = reverse("scheduling:series_move", args=[appointments[0].pk])
    new_day = booked["monday"] + dt.timedelta(days=1)

    checked = front_desk.post(
        url, {"date": new_day.isoformat(), "time": "11:00", "action": "check"}
    )

    assert checked.status_code == 409
    page = checked.content.decode()
    assert "1 appointment cannot move as asked" in page
    assert AccessLog.objects.filter(action=Action.VIEW_SERIES, patient=booked["patient"]).exists()
    rows = checked.context["rows"]
    post = {"date": new_day.isoformat(), "time": "11:00", "action": "move"}
    for row in rows:
        n = f"{row['n']:03d}"
        post[f"appt-{n}"] = row["planned"].appointment.pk
        post[f"start-{n}"] = row["planned"].start.isoformat()
        if row["planned"].conflict:
            post[f"choice-{n}"] = "skip"

    done = front_desk.post(url, post)

    assert done.status_code == 302
    times = [_local(a) for a in Appointment.objects.filter(series__isnull=False)]
    assert [t.time() for t in times].count(dt.time(11)) == 5
    assert times[2].time() == dt.time(10)  # the skipped second Monday


def test_the_move_page_refuses_a_bad_date_with_a_message(front_desk, booked):
    url = reverse("scheduling:series_move", args=[booked["appointments"][0].pk])

    response = front_desk.post(url, {"date": "soon", "time": "11:00", "action": "check"})

    assert response.status_code == 422
    assert "Enter a valid date" in response.content.decode()


def test_the_move_page_answers_a_broken_row_with_a_message(front_desk, booked):
    first = booked["appointments"][0]
    url = reverse("scheduling:series_move", args=[first.pk])

    response = front_desk.post(
        url, {"action": "move", "appt-000": first.pk, "start-000": "yesterday-ish"}
    )

    assert response.status_code == 422
    assert "Give a date and a time for each moved appointment." in response.content.decode()


def test_an_appointment_outside_a_series_has_no_series_pages(front_desk, booked):
    alone = make_appointment(booked["anna"], _at(booked["location"], booked["monday"], "15:00"))

    assert front_desk.get(reverse("scheduling:series_move", args=[alone.pk])).status_code == 404
    assert front_desk.get(reverse("scheduling:series_cancel", args=[alone.pk])).status_code == 404


def test_the_cancel_page_asks_once_and_cancels_all_following(front_desk, booked):
    appointments = booked["appointments"]
    url = reverse("scheduling:series_cancel", args=[appointments[4].pk])

    asked = front_desk.get(url)
    refused = front_desk.post(url, {"reason": ""})
    done = front_desk.post(url, {"reason": "illness", "note": ""})

    assert asked.status_code == 200 and "Cancel 2 appointments" in asked.content.decode()
    assert refused.status_code == 422 and "Choose a reason." in refused.content.decode()
    assert done.status_code == 302
    statuses = [a.status for a in Appointment.objects.filter(series__isnull=False)]
    assert statuses == ["booked"] * 4 + ["cancelled"] * 2


def test_two_appointments_swapping_their_times_are_refused_and_neither_moves(booked):
    """No order of writes frees a time for either first: the change is refused whole."""
    first, second = booked["appointments"][:2]
    old_first, old_second = first.start, second.start

    with pytest.raises(SlotTaken):
        series.move_following({first: old_second, second: old_first})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.start, second.start) == (old_first, old_second)
    assert not Message.objects.filter(kind="booking.series_moved").exists()
