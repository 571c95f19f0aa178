"""The staff calendar's grid: a column per practitioner, hours, breaks and days off shaded,
statuses with a legend, the current time, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.scheduling.calendar_view import calendar_grid, fitting_types
from sotclinic.scheduling.models import AvailabilityException, WeeklyBreak
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


def _at(location, day, hhmm):
    local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
    return local.astimezone(dt.UTC)


def _busy_day(practitioners: int, per_practitioner: int):
    location = make_location()
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    doctors = [make_open_practitioner(location, "07:00", "20:00") for _ in range(practitioners)]
    kind = make_appointment_type(doctors, duration_minutes=5, buffer_minutes=0)
    for doctor in doctors:
        WeeklyBreak.objects.create(
            practitioner=doctor,
            location=location,
            weekday=day.weekday(),
            start_time=dt.time(12),
            end_time=dt.time(12, 30),
        )
        for i in range(per_practitioner):
            start = _at(location, day, "07:00") + dt.timedelta(minutes=5 * i)
            make_appointment(doctor, start, kind=kind, location=location)
    return location, day


def _queries_for_day_view(client, location, day) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/staff/calendar/?view=day&location={location.pk}&date={day}")
    assert response.status_code == 200
    return len(queries)


def test_day_view_takes_the_same_queries_for_a_busy_day_as_for_a_quiet_one(client):
    client.force_login(make_user(Role.FRONT_DESK))
    quiet_day = _busy_day(1, 1)
    _queries_for_day_view(client, *quiet_day)  # the first request also creates the settings row
    quiet = _queries_for_day_view(client, *quiet_day)
    busy = _queries_for_day_view(client, *_busy_day(5, 30))
    busier = _queries_for_day_view(client, *_busy_day(5, 90))

    assert quiet == busy == busier


def test_grid_has_a_column_per_practitioner_with_hours_breaks_and_days_off():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00", display_name="Dr. Anna")
    ben = make_open_practitioner(location, "10:00", "16:00", display_name="Dr. Ben")
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    WeeklyBreak.objects.create(
        practitioner=anna,
        location=location,
        weekday=day.weekday(),
        start_time=dt.time(13),
        end_time=dt.time(14),
    )
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.DAY_OFF,
        practitioner=ben,
        first_day=day,
        last_day=day,
        note="Course",
    )

    grid = calendar_grid(location, [day], [anna, ben])

    assert [c.practitioner for c in grid.columns] == [anna, ben]
    anna_column, ben_column = grid.columns
    assert [(b.first, b.last) for b in anna_column.open_bands] == [(540, 1020)]
    assert [(b.kind, b.label, b.first, b.last) for b in anna_column.closed_bands] == [
        ("break", "Break", 780, 840)
    ]
    assert [(b.kind, b.label) for b in ben_column.closed_bands] == [("day_off", "Day off: Course")]
    assert (grid.first_hour, grid.last_hour) == (8, 18)
    first_open = anna_column.open_bands[0]
    assert first_open.top == pytest.approx(10) and first_open.height == pytest.approx(80)


def test_a_clinic_holiday_and_extra_hours_show_on_the_grid():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "12:00")
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.HOLIDAY, first_day=day, last_day=day
    )
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.EXTRA_HOURS,
        practitioner=anna,
        location=location,
        first_day=day + dt.timedelta(days=1),
        last_day=day + dt.timedelta(days=1),
        start_time=dt.time(18),
        end_time=dt.time(20),
    )

    holiday, extra = calendar_grid(location, [day, day + dt.timedelta(days=1)], [anna]).columns

    assert [(b.kind, b.first, b.last) for b in holiday.closed_bands] == [("holiday", 0, 1440)]
    assert [(b.first, b.last, b.label) for b in extra.open_bands] == [
        (540, 720, ""),
        (1080, 1200, "Extra hours"),
    ]


def test_the_current_time_is_marked_on_todays_column_only():
    location = make_location()
    anna = make_open_practitioner(location)
    now = dt.datetime(2030, 6, 3, 12, 30, tzinfo=location.tz)
    today = now.date()

    columns = calendar_grid(location, [today, today + dt.timedelta(days=1)], [anna], now=now)

    marked, tomorrow = columns.columns
    assert marked.now_top == pytest.approx(45)  # 12:30 on an 8-18 grid
    assert tomorrow.now_top is None


@pytest.mark.parametrize("hour", [3, 22])
def test_no_current_time_line_when_now_is_outside_the_grids_hours(hour):
    location = make_location()
    anna = make_open_practitioner(location)
    now = dt.datetime(2030, 6, 3, hour, 0, tzinfo=location.tz)

    (today,) = calendar_grid(location, [now.date()], [anna], now=now).columns

    assert today.now_top is None


def test_day_view_shows_legend_statuses_and_shading(client):
    location = make_location()
    # Open round the clock, so the current time is always on the grid.
    anna = make_open_practitioner(location, "00:00", "23:59", display_name="Dr. Anna Weber")
    ben = make_open_practitioner(location, "00:00", "23:59", display_name="Dr. Ben Okafor")
    kind = make_appointment_type([anna, ben], duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date()
    past = _at(location, day - dt.timedelta(days=1), "10:00")
    make_appointment(anna, past, kind=kind, location=location, status="no_show")
    WeeklyBreak.objects.create(
        practitioner=ben,
        location=location,
        weekday=day.weekday(),
        start_time=dt.time(12),
        end_time=dt.time(13),
    )
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/calendar/?view=day&date={day}").text
    yesterday = client.get(f"/staff/calendar/?view=day&date={day - dt.timedelta(days=1)}").text

    assert "Dr. Anna Weber" in page and "Dr. Ben Okafor" in page
    for label in ("Booked", "Arrived", "Completed", "No-show", "Closed", "Now"):
        assert label in page
    assert 'class="cal-band band-break"' in page and "cal-now" in page
    assert "status-no_show" in yesterday and "cal-now" not in yesterday


def test_week_view_for_everyone_has_a_column_per_day_and_practitioner(client):
    location = make_location()
    anna = make_open_practitioner(location, display_name="Dr. Anna Weber")
    make_open_practitioner(location, display_name="Dr. Ben Okafor")
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=7)
    patient = make_patient(first_name="Olivia", last_name="Smith")
    make_appointment(anna, _at(location, day, "10:00"), patient=patient, location=location)
    client.force_login(make_user(Role.FRONT_DESK))

    everyone = client.get(f"/staff/calendar/?view=week&practitioner=&date={day}")
    one = client.get(f"/staff/calendar/?view=week&practitioner={anna.pk}&date={day}")

    assert everyone.text.count('<section class="cal-col"') == 14
    assert one.text.count('<section class="cal-col"') == 7
    assert "Olivia Smith" in everyone.text and "Olivia Smith" in one.text


def test_fitting_types_leave_out_those_that_run_into_the_next_appointment():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00")
    short = make_appointment_type([anna], name="Follow-up", duration_minutes=20, buffer_minutes=0)
    long = make_appointment_type([anna], name="New patient", duration_minutes=60, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    make_appointment(anna, _at(location, day, "10:30"), kind=short, location=location)

    before_next = fitting_types(anna, location, _at(location, day, "10:00"))
    free_hour = fitting_types(anna, location, _at(location, day, "14:00"))
    before_closing = fitting_types(anna, location, _at(location, day, "16:30"))
    during = fitting_types(anna, location, _at(location, day, "10:35"))

    assert before_next == [short]
    assert free_hour == [short, long]  # booked most by her first
    assert before_closing == [short]
    assert during == []


def test_clicking_a_slot_opens_the_booking_form_prefilled(client):
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00")
    make_appointment_type([anna], name="New patient", duration_minutes=60, buffer_minutes=0)
    short = make_appointment_type([anna], name="Follow-up", duration_minutes=20)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    make_appointment(anna, _at(location, day, "11:30"), kind=short, location=location)
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(
        f"/staff/appointments/new/?location={location.pk}&practitioner={anna.pk}"
        f"&date={day}&time=11:00"
    ).text

    assert f'<option value="{short.pk}" selected>' in page
    assert f'<option value="{anna.pk}" selected>' in page
    assert 'value="11:00"' in page


def test_all_locations_shows_each_location_with_its_own_practitioners(client):
    harbour = make_location(name="Harbour Street")
    hill = make_location(name="Hill Road")
    anna = make_open_practitioner(harbour, display_name="Dr. Anna Weber")
    ben = make_open_practitioner(hill, display_name="Dr. Ben Okafor")
    day = timezone.now().astimezone(harbour.tz).date() + dt.timedelta(days=2)
    client.force_login(make_user(Role.FRONT_DESK))

    everywhere = client.get(f"/staff/calendar/?view=day&location=all&date={day}").text
    only_ben = client.get(
        f"/staff/calendar/?view=day&location=all&practitioner={ben.pk}&date={day}"
    ).text

    assert everywhere.count("data-calendar ") == 2
    assert "<h2>Harbour Street</h2>" in everywhere and "<h2>Hill Road</h2>" in everywhere
    assert f'aria-label="{anna.display_name},' in everywhere
    assert everywhere.index("Dr. Anna Weber,") < everywhere.index("Hill Road</h2>")
    assert only_ben.count("data-calendar ") == 1
    assert "The chosen practitioner does not work here." in only_ben


def test_extra_hours_open_only_their_own_practitioners_column():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "12:00")
    ben = make_open_practitioner(location, "09:00", "12:00")
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.EXTRA_HOURS,
        practitioner=ben,
        location=location,
        first_day=day,
        last_day=day,
        start_time=dt.time(18),
        end_time=dt.time(20),
    )

    anna_column, ben_column = calendar_grid(location, [day], [anna, ben]).columns

    assert [(b.first, b.last) for b in anna_column.open_bands] == [(540, 720)]
    assert [(b.first, b.last) for b in ben_column.open_bands] == [(540, 720), (1080, 1200)]


def test_an_appointment_on_a_day_not_shown_is_left_out_of_the_grid():
    location = make_location()
    anna = make_open_practitioner(location, "09:00", "17:00")
    monday = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=7)
    monday -= dt.timedelta(days=monday.weekday())
    tuesday, wednesday = monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)
    make_appointment(anna, _at(location, tuesday, "10:00"), location=location)
    shown = make_appointment(anna, _at(location, wednesday, "10:00"), location=location)

    grid = calendar_grid(location, [monday, wednesday], [anna])

    placed = [block.appointment.pk for column in grid.columns for block in column.blocks]
    assert placed == [shown.pk]
