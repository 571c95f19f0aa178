"""The three steps of free_slots: open_intervals, busy_intervals and candidate_starts."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    WeeklyBreak,
)
from sotclinic.scheduling.selectors import (
    BookingWindow,
    busy_intervals,
    candidate_starts,
    open_intervals,
    within_opening_hours,
)
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_practitioner,
    make_weekly_hours,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
TUESDAY = dt.date(2027, 3, 2)
SPRING_FORWARD = dt.date(2027, 3, 28)  # a Sunday: 01:00 GMT becomes 02:00 BST
FALL_BACK = dt.date(2027, 10, 31)  # a Sunday: 02:00 BST becomes 01:00 GMT


def utc(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=dt.UTC)


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=LONDON).astimezone(dt.UTC)


def local_times(starts) -> list[str]:
    return [s.astimezone(LONDON).strftime("%H:%M") for s in starts]


# --- open_intervals --------------------------------------------------------------------------


@pytest.fixture
def doctor_at_clinic(db):
    location = make_location(time_zone="Europe/London")
    doctor = make_open_practitioner(location, start="09:00", end="12:00")
    return location, doctor


def add_break(doctor, location, day: dt.date, start: dt.time, end: dt.time) -> None:
    WeeklyBreak.objects.create(
        practitioner=doctor,
        location=location,
        weekday=day.weekday(),
        start_time=start,
        end_time=end,
    )


def add_extra_hours(doctor, location, day: dt.date, start: dt.time, end: dt.time) -> None:
    AvailabilityException.objects.create(
        kind="extra_hours",
        practitioner=doctor,
        location=location,
        first_day=day,
        last_day=day,
        start_time=start,
        end_time=end,
    )


def open_for(doctor, location, start_day, days=1):
    return open_intervals(start_day, days, who=Q(practitioner=doctor)).get((doctor.pk, location.pk))


def test_weekly_hours_are_open_on_their_weekday_only(db):
    location = make_location()
    doctor = make_practitioner(location)
    make_weekly_hours(doctor, location, TUESDAY.weekday(), "09:00", "12:00")

    opened = open_for(doctor, location, TUESDAY - dt.timedelta(days=1), days=3)

    assert opened == [(local(TUESDAY, 9), local(TUESDAY, 12))]


def test_a_break_splits_the_hours(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    add_break(doctor, location, TUESDAY, dt.time(10, 0), dt.time(10, 30))

    assert open_for(doctor, location, TUESDAY) == [
        (local(TUESDAY, 9), local(TUESDAY, 10)),
        (local(TUESDAY, 10, 30), local(TUESDAY, 12)),
    ]


def test_a_day_off_without_times_closes_the_whole_day_everywhere(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    AvailabilityException.objects.create(
        kind="day_off", practitioner=doctor, first_day=TUESDAY, last_day=TUESDAY
    )

    opened = open_for(doctor, location, TUESDAY - dt.timedelta(days=1), days=3)

    assert {a.astimezone(LONDON).date() for a, _ in opened} == {
        TUESDAY - dt.timedelta(days=1),
        TUESDAY + dt.timedelta(days=1),
    }


def test_a_day_off_with_times_closes_only_those_hours(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    AvailabilityException.objects.create(
        kind="day_off",
        practitioner=doctor,
        first_day=TUESDAY,
        last_day=TUESDAY,
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
    )

    assert open_for(doctor, location, TUESDAY) == [(local(TUESDAY, 11), local(TUESDAY, 12))]


def test_another_practitioners_day_off_changes_nothing(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    colleague = make_open_practitioner(location)
    AvailabilityException.objects.create(
        kind="day_off", practitioner=colleague, first_day=TUESDAY, last_day=TUESDAY
    )

    assert open_for(doctor, location, TUESDAY) == [(local(TUESDAY, 9), local(TUESDAY, 12))]


def test_a_holiday_closes_its_location_for_everyone_and_no_other(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    elsewhere = make_location(time_zone="Europe/London")
    make_weekly_hours(doctor, elsewhere, TUESDAY.weekday(), "14:00", "16:00")
    AvailabilityException.objects.create(
        kind="holiday", location=location, first_day=TUESDAY, last_day=TUESDAY
    )

    opened = open_intervals(TUESDAY, 1, who=Q(practitioner=doctor))

    assert opened[(doctor.pk, location.pk)] == []
    assert opened[(doctor.pk, elsewhere.pk)] == [(local(TUESDAY, 14), local(TUESDAY, 16))]


def test_extra_hours_add_time_even_on_a_day_without_weekly_hours(db):
    location = make_location()
    doctor = make_practitioner(location)
    add_extra_hours(doctor, location, TUESDAY, dt.time(18, 0), dt.time(19, 30))

    assert open_for(doctor, location, TUESDAY) == [(local(TUESDAY, 18), local(TUESDAY, 19, 30))]


def test_one_location_only_when_asked(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    elsewhere = make_location()
    make_weekly_hours(doctor, elsewhere, TUESDAY.weekday(), "14:00", "16:00")

    opened = open_intervals(TUESDAY, 1, who=Q(practitioner=doctor), location_id=elsewhere.pk)

    assert list(opened) == [(doctor.pk, elsewhere.pk)]


def test_who_selects_the_practitioners(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    make_open_practitioner(location)

    opened = open_intervals(TUESDAY, 1, who=Q(practitioner=doctor))

    assert list(opened) == [(doctor.pk, location.pk)]


@pytest.mark.parametrize(
    ("day", "first_utc_hour"),
    [
        (SPRING_FORWARD - dt.timedelta(days=1), 9),  # GMT
        (SPRING_FORWARD, 8),  # BST from 02:00 that night
        (FALL_BACK - dt.timedelta(days=1), 8),  # BST
        (FALL_BACK, 9),  # GMT from 02:00 that night
    ],
)
def test_local_hours_stay_local_on_both_sides_of_each_transition(
    doctor_at_clinic, day, first_utc_hour
):
    location, doctor = doctor_at_clinic

    assert open_for(doctor, location, day) == [
        (utc(day, first_utc_hour), utc(day, first_utc_hour + 3))
    ]


@pytest.mark.parametrize(("day", "real_hours"), [(SPRING_FORWARD, 3), (FALL_BACK, 5)])
def test_night_hours_across_a_transition_have_their_real_length(db, day, real_hours):
    location = make_location(time_zone="Europe/London")
    doctor = make_practitioner(location)
    make_weekly_hours(doctor, location, day.weekday(), "00:00", "04:00")

    [(a, b)] = open_for(doctor, location, day)

    assert b - a == dt.timedelta(hours=real_hours)


def test_a_break_on_a_transition_day_is_cut_in_local_time(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    add_break(doctor, location, SPRING_FORWARD, dt.time(10, 0), dt.time(11, 0))

    assert open_for(doctor, location, SPRING_FORWARD) == [
        (utc(SPRING_FORWARD, 8), utc(SPRING_FORWARD, 9)),
        (utc(SPRING_FORWARD, 10), utc(SPRING_FORWARD, 11)),
    ]


def test_open_intervals_asks_three_queries_whatever_the_days(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    AvailabilityException.objects.create(
        kind="day_off", practitioner=doctor, first_day=TUESDAY, last_day=TUESDAY
    )

    with CaptureQueriesContext(connection) as ctx:
        open_intervals(TUESDAY, 31, who=Q(practitioner=doctor))

    assert len(ctx.captured_queries) == 3


# --- within_opening_hours reads the same open time -------------------------------------------


def test_time_running_from_weekly_into_extra_hours_is_within_opening_hours(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    add_extra_hours(doctor, location, TUESDAY, dt.time(12, 0), dt.time(13, 0))

    assert within_opening_hours(doctor, location, local(TUESDAY, 11, 30), local(TUESDAY, 12, 30))
    assert not within_opening_hours(
        doctor, location, local(TUESDAY, 12, 30), local(TUESDAY, 13, 30)
    )


def test_a_holiday_is_outside_opening_hours(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    assert within_opening_hours(doctor, location, local(TUESDAY, 10), local(TUESDAY, 10, 30))
    AvailabilityException.objects.create(
        kind="holiday", first_day=TUESDAY, last_day=TUESDAY
    )  # no practitioner, no location: the whole clinic

    assert not within_opening_hours(doctor, location, local(TUESDAY, 10), local(TUESDAY, 10, 30))


def test_within_opening_hours_agrees_with_open_intervals_on_every_kind_of_row(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    elsewhere = make_location(time_zone="Europe/London")
    colleague = make_open_practitioner(location)
    make_weekly_hours(doctor, elsewhere, TUESDAY.weekday(), "14:00", "16:00")
    wednesday, thursday, friday = (TUESDAY + dt.timedelta(days=n) for n in (1, 2, 3))
    add_break(doctor, location, TUESDAY, dt.time(10, 0), dt.time(10, 30))
    add_extra_hours(doctor, location, wednesday, dt.time(12, 0), dt.time(14, 0))
    add_extra_hours(doctor, elsewhere, thursday, dt.time(12, 0), dt.time(14, 0))
    for kind, who, where, first, last, times in [
        ("day_off", doctor, None, thursday, thursday, (dt.time(9, 0), dt.time(10, 0))),
        ("day_off", colleague, None, TUESDAY, friday, (None, None)),
        ("day_off", doctor, elsewhere, friday, friday, (None, None)),
        ("holiday", None, location, friday, friday, (dt.time(11, 0), None)),
        ("holiday", None, elsewhere, TUESDAY, friday, (None, None)),
    ]:
        AvailabilityException.objects.create(
            kind=kind,
            practitioner=who,
            location=where,
            first_day=first,
            last_day=last,
            start_time=times[0],
            end_time=times[1],
        )
    opened = open_for(doctor, location, TUESDAY - dt.timedelta(days=1), days=6)

    for quarter in range(4 * 24 * 4):
        start = local(TUESDAY, 0) + dt.timedelta(minutes=15 * quarter)
        end = start + dt.timedelta(minutes=30)
        expected = any(a <= start and end <= b for a, b in _joined(opened))
        assert within_opening_hours(doctor, location, start, end) == expected, start


def _joined(intervals):
    joined = []
    for a, b in sorted(intervals):
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], b))
        else:
            joined.append((a, b))
    return joined


# --- busy_intervals --------------------------------------------------------------------------


@pytest.fixture
def booked_clinic(doctor_at_clinic):
    location, doctor = doctor_at_clinic
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    return location, doctor, kind


def test_each_appointment_is_busy_until_its_end_plus_its_buffer(booked_clinic):
    location, doctor, kind = booked_clinic
    no_clean_up = make_appointment_type([doctor], duration_minutes=20, buffer_minutes=0)
    make_appointment(doctor, local(TUESDAY, 11), kind=no_clean_up, location=location)
    make_appointment(doctor, local(TUESDAY, 9), kind=kind, location=location)

    busy = busy_intervals([doctor.pk], TUESDAY, 1)

    assert busy == {
        doctor.pk: [
            (local(TUESDAY, 9), local(TUESDAY, 9, 40)),
            (local(TUESDAY, 11), local(TUESDAY, 11, 20)),
        ]
    }


def test_cancelled_and_excluded_appointments_are_not_busy(booked_clinic):
    location, doctor, kind = booked_clinic
    make_appointment(doctor, local(TUESDAY, 9), kind=kind, location=location, status="cancelled")
    moving = make_appointment(doctor, local(TUESDAY, 10), kind=kind, location=location)

    assert busy_intervals([doctor.pk], TUESDAY, 1, exclude_appointment_id=moving.pk) == {
        doctor.pk: []
    }


def test_completed_and_no_show_appointments_still_hold_their_time(booked_clinic):
    location, doctor, kind = booked_clinic
    make_appointment(doctor, local(TUESDAY, 9), kind=kind, location=location, status="completed")
    make_appointment(doctor, local(TUESDAY, 10), kind=kind, location=location, status="no_show")

    assert len(busy_intervals([doctor.pk], TUESDAY, 1)[doctor.pk]) == 2


def test_only_the_asked_practitioners_and_days_are_read(booked_clinic):
    location, doctor, kind = booked_clinic
    colleague = make_open_practitioner(location)
    make_appointment(colleague, local(TUESDAY, 9), location=location)
    make_appointment(doctor, local(TUESDAY - dt.timedelta(days=3), 9), kind=kind)
    make_appointment(doctor, local(TUESDAY + dt.timedelta(days=3), 9), kind=kind)

    assert busy_intervals([doctor.pk], TUESDAY, 1) == {doctor.pk: []}


# --- candidate_starts ------------------------------------------------------------------------

DAY = dt.date(2027, 3, 2)
OPEN_ALL_DAY = BookingWindow(earliest=utc(DAY, 0), latest=None)
HALF_HOUR = dt.timedelta(minutes=30)


def kind_of(duration: int, buffer: int = 0) -> AppointmentType:
    return AppointmentType(duration_minutes=duration, buffer_minutes=buffer)


def starts(open_time, busy=(), kind=None, step=HALF_HOUR, window=OPEN_ALL_DAY) -> list[str]:
    found = candidate_starts(open_time, list(busy), kind or kind_of(30), step, window)
    return [s.strftime("%H:%M") for s in found]


def test_starts_step_from_the_start_of_each_open_interval():
    open_time = [(utc(DAY, 9, 10), utc(DAY, 10, 30)), (utc(DAY, 14), utc(DAY, 15))]

    assert starts(open_time, kind=kind_of(20)) == ["09:10", "09:40", "10:10", "14:00", "14:30"]


def test_the_duration_must_fit_before_the_interval_ends_but_the_buffer_need_not():
    assert starts([(utc(DAY, 9), utc(DAY, 10, 15))], kind=kind_of(30, buffer=30)) == [
        "09:00",
        "09:30",
    ]


def test_the_step_sets_the_grid():
    open_time = [(utc(DAY, 9), utc(DAY, 11))]

    assert starts(open_time, step=dt.timedelta(minutes=45)) == ["09:00", "09:45", "10:30"]


def test_minimum_notice_drops_the_starts_before_the_window():
    window = BookingWindow(earliest=utc(DAY, 9, 40), latest=None)

    assert starts([(utc(DAY, 9), utc(DAY, 11))], window=window) == ["10:00", "10:30"]


def test_the_horizon_keeps_a_start_at_its_very_edge_and_none_after():
    window = BookingWindow(earliest=utc(DAY, 0), latest=utc(DAY, 10))

    assert starts([(utc(DAY, 9), utc(DAY, 11))], window=window) == ["09:00", "09:30", "10:00"]


def test_a_busy_interval_removes_the_starts_it_overlaps():
    busy = [(utc(DAY, 10), utc(DAY, 10, 40))]  # 30 minutes and a 10-minute buffer

    assert starts([(utc(DAY, 9), utc(DAY, 12))], busy) == ["09:00", "09:30", "11:00", "11:30"]


def test_the_new_appointments_own_buffer_must_stay_clear_of_the_next_one():
    busy = [(utc(DAY, 10), utc(DAY, 10, 30))]

    found = starts([(utc(DAY, 9), utc(DAY, 12))], busy, kind=kind_of(30, buffer=10))

    assert "09:30" not in found  # busy until 10:10
    assert found == ["09:00", "10:30", "11:00", "11:30"]


def test_a_buffer_may_end_exactly_where_the_next_appointment_starts():
    busy = [(utc(DAY, 10), utc(DAY, 10, 30))]

    assert "09:00" in starts([(utc(DAY, 9), utc(DAY, 12))], busy, kind=kind_of(45, buffer=15))


def test_back_to_back_appointments_block_until_the_last_one_is_over():
    busy = [(utc(DAY, 9), utc(DAY, 9, 40)), (utc(DAY, 9, 40), utc(DAY, 10, 20))]

    assert starts([(utc(DAY, 9), utc(DAY, 12))], busy) == ["10:30", "11:00", "11:30"]


def test_a_long_appointment_still_blocks_after_a_shorter_later_one_ends():
    busy = [(utc(DAY, 8), utc(DAY, 11)), (utc(DAY, 9, 30), utc(DAY, 9, 45))]

    assert starts([(utc(DAY, 9), utc(DAY, 12))], busy) == ["11:00", "11:30"]


# A property over many schedules: every start found is right, and none that is right is missing.

MINUTE = dt.timedelta(minutes=1)
ORIGIN = utc(DAY, 0)


def spans(max_count: int):
    """Intervals as (start minute, length in minutes) within two days, as UTC datetimes."""
    span = st.tuples(st.integers(0, 2 * 24 * 60), st.integers(1, 6 * 60))
    return st.lists(span, max_size=max_count).map(
        lambda pairs: sorted((ORIGIN + a * MINUTE, ORIGIN + (a + n) * MINUTE) for a, n in pairs)
    )


@settings(max_examples=300, deadline=None)
@given(
    open_time=spans(4),
    busy=spans(8),
    duration=st.integers(5, 120),
    buffer=st.integers(0, 30),
    step=st.sampled_from([5, 10, 15, 20, 30, 45, 60]),
    earliest=st.integers(0, 24 * 60),
    horizon=st.one_of(st.none(), st.integers(0, 2 * 24 * 60)),
)
def test_every_start_fits_its_open_time_misses_every_busy_time_and_none_is_left_out(
    open_time, busy, duration, buffer, step, earliest, horizon
):
    kind = kind_of(duration, buffer)
    step_delta = step * MINUTE
    window = BookingWindow(
        earliest=ORIGIN + earliest * MINUTE,
        latest=None if horizon is None else ORIGIN + (earliest + horizon) * MINUTE,
    )

    found = candidate_starts(open_time, busy, kind, step_delta, window)

    def acceptable(s: dt.datetime, interval) -> bool:
        a, b = interval
        return (
            a <= s
            and s + duration * MINUTE <= b
            and (s - a) % step_delta == dt.timedelta(0)
            and window.admits(s)
            and all(
                until <= s or Appointment.busy_until(s + duration * MINUTE, kind) <= start
                for start, until in busy
            )
        )

    expected = [
        a + n * step_delta
        for a, b in open_time
        for n in range((b - a) // step_delta + 1)
        if acceptable(a + n * step_delta, (a, b))
    ]
    assert found == expected
