"""free_slots: hours, breaks, exceptions, buffers, booking window, DST, and query count."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotclinic.scheduling.models import AvailabilityException, ClinicSettings, WeeklyBreak
from sotclinic.scheduling.selectors import first_available, free_slots
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_practitioner,
    make_weekly_hours,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)  # a Monday


def local(day: dt.date, hh: int, mm: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON, fold=fold).astimezone(
        dt.UTC
    )


def local_times(slots):
    return [s.start.astimezone(LONDON).strftime("%H:%M") for s in slots]


@pytest.fixture
def rules():
    settings = ClinicSettings.load()
    settings.slot_step_minutes = 30
    settings.min_notice_minutes = 0
    settings.horizon_days = 400
    settings.save()
    return settings


@pytest.fixture
def clinic(rules):
    location = make_location(time_zone="Europe/London")
    doctor = make_open_practitioner(location, start="09:00", end="12:00")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=0)
    return location, doctor, kind


def test_slots_fill_the_hours_at_the_step(clinic):
    _, _, kind = clinic
    day = dt.date(2027, 3, 2)

    slots = free_slots(kind, day, 1, now=NOW)

    assert local_times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_step_is_configurable(clinic, rules):
    _, _, kind = clinic
    rules.slot_step_minutes = 45
    rules.save()

    slots = free_slots(kind, dt.date(2027, 3, 2), 1, now=NOW)

    assert local_times(slots) == ["09:00", "09:45", "10:30", "11:15"]


def test_an_appointment_and_its_buffer_remove_the_overlapping_slots(clinic):
    location, doctor, kind = clinic
    day = dt.date(2027, 3, 2)
    long_clean = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=15)
    make_appointment(doctor, local(day, 10, 0), kind=long_clean, location=location)

    slots = free_slots(kind, day, 1, now=NOW)

    # busy 10:00-10:45; 10:30 overlaps the buffer; 09:30 would run into 10:00 with no buffer
    assert local_times(slots) == ["09:00", "09:30", "11:00", "11:30"]


def test_a_new_slot_keeps_its_own_buffer_clear(clinic):
    location, doctor, _ = clinic
    day = dt.date(2027, 3, 2)
    buffered = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=15)
    make_appointment(doctor, local(day, 10, 0), kind=buffered, location=location)

    slots = free_slots(buffered, day, 1, now=NOW)

    assert "09:30" not in local_times(slots)  # 09:30-10:15 with buffer hits 10:00


def test_cancelled_appointments_do_not_block(clinic):
    location, doctor, kind = clinic
    day = dt.date(2027, 3, 2)
    make_appointment(doctor, local(day, 10, 0), kind=kind, location=location, status="cancelled")

    assert "10:00" in local_times(free_slots(kind, day, 1, now=NOW))


def test_breaks_are_not_bookable(clinic):
    location, doctor, kind = clinic
    day = dt.date(2027, 3, 2)
    WeeklyBreak.objects.create(
        practitioner=doctor,
        location=location,
        weekday=day.weekday(),
        start_time=dt.time(10, 0),
        end_time=dt.time(11, 0),
    )

    assert local_times(free_slots(kind, day, 1, now=NOW)) == ["09:00", "09:30", "11:00", "11:30"]


def test_day_off_and_holiday_remove_whole_days(clinic):
    location, doctor, kind = clinic
    AvailabilityException.objects.create(
        kind="day_off",
        practitioner=doctor,
        first_day=dt.date(2027, 3, 2),
        last_day=dt.date(2027, 3, 2),
    )
    AvailabilityException.objects.create(
        kind="holiday",
        location=location,
        first_day=dt.date(2027, 3, 4),
        last_day=dt.date(2027, 3, 4),
    )

    slots = free_slots(kind, dt.date(2027, 3, 2), 3, now=NOW)

    assert {s.start.astimezone(LONDON).date() for s in slots} == {dt.date(2027, 3, 3)}


def test_extra_hours_add_time(clinic):
    location, doctor, kind = clinic
    day = dt.date(2027, 3, 2)
    AvailabilityException.objects.create(
        kind="extra_hours",
        practitioner=doctor,
        location=location,
        first_day=day,
        last_day=day,
        start_time=dt.time(18, 0),
        end_time=dt.time(19, 0),
    )

    assert local_times(free_slots(kind, day, 1, now=NOW))[-2:] == ["18:00", "18:30"]


def test_never_in_the_past_and_minimum_notice_applies(clinic, rules):
    _, _, kind = clinic
    day = dt.date(2027, 3, 2)
    rules.min_notice_minutes = 60
    rules.save()
    now = local(day, 9, 40)

    assert local_times(free_slots(kind, day, 1, now=now)) == ["11:00", "11:30"]


def test_horizon_limits_how_far_ahead(clinic, rules):
    _, _, kind = clinic
    rules.horizon_days = 3
    rules.save()

    slots = free_slots(kind, dt.date(2027, 3, 1), 10, now=NOW)

    assert max(s.start for s in slots) <= NOW + dt.timedelta(days=3)
    assert {s.start.astimezone(LONDON).date() for s in slots} == {
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 3),
    }


def test_spring_forward_keeps_local_hours(clinic):
    _, _, kind = clinic
    saturday, monday = dt.date(2027, 3, 27), dt.date(2027, 3, 29)

    before = free_slots(kind, saturday, 1, now=NOW)
    after = free_slots(kind, monday, 1, now=NOW)

    assert before[0].start == dt.datetime(2027, 3, 27, 9, 0, tzinfo=dt.UTC)  # GMT
    assert after[0].start == dt.datetime(2027, 3, 29, 8, 0, tzinfo=dt.UTC)  # BST
    assert local_times(before) == local_times(after)


def test_fall_back_keeps_local_hours(clinic):
    _, _, kind = clinic
    saturday, monday = dt.date(2027, 10, 30), dt.date(2027, 11, 1)

    before = free_slots(kind, saturday, 1, now=NOW)
    after = free_slots(kind, monday, 1, now=NOW)

    assert before[0].start == dt.datetime(2027, 10, 30, 8, 0, tzinfo=dt.UTC)  # BST
    assert after[0].start == dt.datetime(2027, 11, 1, 9, 0, tzinfo=dt.UTC)  # GMT
    assert local_times(before) == local_times(after)


def test_hours_across_the_spring_forward_night_are_one_hour_shorter(rules):
    location = make_location(time_zone="Europe/London")
    doctor = make_practitioner(location)
    sunday = dt.date(2027, 3, 28)
    make_weekly_hours(doctor, location, sunday.weekday(), "00:00", "04:00")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=0)

    slots = free_slots(kind, sunday, 1, now=NOW)

    assert len(slots) == 6  # 3 real hours
    assert local_times(slots) == ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"]


def test_hours_across_the_fall_back_night_are_one_hour_longer(rules):
    location = make_location(time_zone="Europe/London")
    doctor = make_practitioner(location)
    sunday = dt.date(2027, 10, 31)
    make_weekly_hours(doctor, location, sunday.weekday(), "00:00", "04:00")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=0)

    slots = free_slots(kind, sunday, 1, now=NOW)

    assert len(slots) == 10  # 5 real hours; 01:00-02:00 local happens twice
    assert local_times(slots).count("01:00") == 2


def test_first_available_gives_one_slot_per_time(clinic):
    location, doctor, kind = clinic
    other = make_open_practitioner(location, start="09:00", end="10:00")
    kind.practitioners.add(other)
    day = dt.date(2027, 3, 2)
    make_appointment(doctor, local(day, 9, 0), kind=kind, location=location)

    slots = first_available(free_slots(kind, day, 1, now=NOW), [doctor.pk, other.pk])

    assert local_times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert slots[0].practitioner_id == other.pk
    assert slots[1].practitioner_id == doctor.pk


def _count_queries(kind, days: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        free_slots(kind, dt.date(2027, 3, 1), days, now=NOW)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_days_or_appointments(clinic):
    location, doctor, kind = clinic
    AvailabilityException.objects.create(
        kind="day_off",
        practitioner=doctor,
        first_day=dt.date(2027, 3, 3),
        last_day=dt.date(2027, 3, 3),
    )
    few_days_no_appointments = _count_queries(kind, 1)
    for n in range(40):
        day = dt.date(2027, 3, 1) + dt.timedelta(days=n % 20)
        make_appointment(doctor, local(day, 9 + n // 20, 0), kind=kind, location=location)

    many_days_many_appointments = _count_queries(kind, 31)

    assert few_days_no_appointments == many_days_many_appointments <= 7
