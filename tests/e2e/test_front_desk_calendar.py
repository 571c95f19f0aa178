"""Front desk works in the day view: book by clicking an empty time (or from the keyboard),
drag an appointment to a free time and onto a taken one, move one from the keyboard, change
an appointment's length by its bottom edge or the move dialog, book a series and move all
following. Real Chromium, live server."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.scheduling import series
from sotclinic.scheduling.models import Appointment, WeeklyBreak
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street Chiropractic")
    names = ("Dr. Anna Weber", "Dr. Ben Okafor", "Dr. Carla Ruiz")
    anna, ben, carla = (
        make_open_practitioner(location, "08:00", "18:00", display_name=n) for n in names
    )
    kind = make_appointment_type(
        [anna, ben, carla],
        name="Follow-up",
        duration_minutes=30,
        buffer_minutes=0,
        other_lengths="45, 60",
    )
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    WeeklyBreak.objects.create(
        practitioner=ben,
        location=location,
        weekday=day.weekday(),
        start_time=dt.time(12),
        end_time=dt.time(13),
    )

    def at(hhmm):
        local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
        return local.astimezone(dt.UTC)

    olivia = make_patient(first_name="Olivia", last_name="Smith")
    henry = make_patient(first_name="Henry", last_name="Clarke")
    moving = make_appointment(anna, at("10:00"), patient=olivia, kind=kind, location=location)
    make_appointment(carla, at("11:00"), patient=henry, kind=kind, location=location)
    make_appointment(ben, at("09:00"), kind=kind, location=location, status="no_show")
    make_user(Role.FRONT_DESK, username="frontdesk")
    return {
        "location": location,
        "day": day,
        "moving": moving,
        "kind": kind,
        "anna": anna,
        "ben": ben,
        "carla": carla,
        "at": at,
    }


def _open_day(page, live_server, clinic):
    page.set_viewport_size({"width": 1280, "height": 1200})  # the whole day, no scrolling
    page.goto(f"{live_server.url}/staff/calendar/?view=day&date={clinic['day']}")
    expect(page.locator(".cal-col")).to_have_count(3)


def _y(page, hhmm: str) -> float:
    """The height in a column where `hhmm` starts."""
    grid = page.locator("[data-calendar]")
    first = int(grid.get_attribute("data-first-minute"))
    span = int(grid.get_attribute("data-span"))
    box = page.locator(".cal-col").first.bounding_box()
    hours, minutes = map(int, hhmm.split(":"))
    return (hours * 60 + minutes - first) / span * box["height"]


def _column(page, name):
    return page.locator(f'.cal-col[aria-label^="{name}"]')


def test_front_desk_books_by_clicking_an_empty_time(log_in, page, live_server, clinic, screenshot):
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)
    for width, name in ((1280, "desktop"), (768, "tablet")):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"calendar-day-{name}")
    page.set_viewport_size({"width": 1280, "height": 1200})

    _column(page, "Dr. Ben Okafor").click(position={"x": 30, "y": _y(page, "14:00") + 5})

    page.wait_for_url(re.compile(r"/staff/appointments/new/\?.*time=14%3A00"))
    expect(page.get_by_label("Time")).to_have_value("14:00")
    expect(page.get_by_label("Practitioner")).to_have_value(str(clinic["ben"].pk))
    expect(page.get_by_label("Appointment type")).to_have_value(str(clinic["kind"].pk))
    page.get_by_label("Find a patient").press_sequentially("smi")
    page.get_by_role("radio", name="Smith, Olivia").check()
    page.get_by_role("button", name="Find free times").click()
    expect(page.locator("#free-times button").first).to_be_visible()
    page.set_viewport_size({"width": 768, "height": 1200})
    screenshot(page, "booking-form-tablet")
    page.set_viewport_size({"width": 1280, "height": 1200})
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_text("Appointment booked.")).to_be_visible()
    booked = Appointment.objects.get(practitioner=clinic["ben"], start=clinic["at"]("14:00"))
    assert booked.patient.first_name == "Olivia"


def test_front_desk_drags_an_appointment_to_a_free_time_and_onto_a_taken_one(
    log_in, page, live_server, clinic, screenshot
):
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)
    block = page.locator(f'.cal-block[data-appointment="{clinic["moving"].pk}"]')

    block.drag_to(
        _column(page, "Dr. Carla Ruiz"),
        source_position={"x": 10, "y": 4},
        target_position={"x": 30, "y": _y(page, "11:15") + 4},
    )

    alert = page.locator("#calendar-status [role=alert]")
    expect(alert).to_contain_text("Dr. Carla Ruiz already has an appointment from 11:00 to 11:30")
    screenshot(page, "calendar-move-refused")
    moving = Appointment.objects.get(pk=clinic["moving"].pk)
    assert (moving.practitioner, moving.start) == (clinic["anna"], clinic["at"]("10:00"))

    block.drag_to(
        _column(page, "Dr. Carla Ruiz"),
        source_position={"x": 10, "y": 4},
        target_position={"x": 30, "y": _y(page, "15:30") + 4},
    )

    expect(page.get_by_text("Appointment moved.")).to_be_visible()
    moving.refresh_from_db()
    assert (moving.practitioner, moving.start) == (clinic["carla"], clinic["at"]("15:30"))


def test_front_desk_moves_an_appointment_with_the_keyboard(log_in, page, live_server, clinic):
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)

    page.locator(f'.cal-block[data-appointment="{clinic["moving"].pk}"]').focus()
    page.keyboard.press("m")
    dialog = page.get_by_role("dialog", name="Move appointment")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Time")).to_be_focused()
    dialog.get_by_label("Time").fill("16:45")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Appointment moved.")).to_be_visible()
    moving = Appointment.objects.get(pk=clinic["moving"].pk)
    assert moving.start == clinic["at"]("16:45")


def test_front_desk_books_a_series_skipping_the_one_conflict(
    log_in, page, live_server, clinic, screenshot
):
    location, anna, kind = clinic["location"], clinic["anna"], clinic["kind"]
    today = timezone.now().astimezone(location.tz).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    busy = dt.datetime.combine(monday + dt.timedelta(weeks=1), dt.time(9), tzinfo=location.tz)
    make_appointment(anna, busy.astimezone(dt.UTC), kind=kind, location=location)
    olivia = clinic["moving"].patient
    log_in(page, "frontdesk")

    page.goto(f"{live_server.url}/staff/appointments/series/?patient={olivia.pk}")
    page.get_by_label("Appointment type").select_option(str(kind.pk))
    page.get_by_label("Practitioner").select_option(str(anna.pk))
    page.get_by_label("From").fill(monday.isoformat())
    page.get_by_label("Time").fill("09:00")
    page.get_by_label("Monday").check()
    page.get_by_label("For how many weeks").fill("3")
    page.get_by_role("button", name="Check the times").click()

    expect(page.get_by_text("1 time cannot be booked as asked")).to_be_visible()
    expect(page.get_by_text("already has an appointment")).to_be_visible()
    page.set_viewport_size({"width": 768, "height": 1200})
    screenshot(page, "series-conflict-tablet")
    assert not Appointment.objects.filter(patient=olivia, start__gte=busy).exists()
    page.get_by_role("button", name="Book the series").click()

    expect(page.get_by_text("2 appointments booked.")).to_be_visible()
    booked = Appointment.objects.filter(patient=olivia).exclude(pk=clinic["moving"].pk)
    assert sorted(a.start.astimezone(location.tz).date() for a in booked) == [
        monday,
        monday + dt.timedelta(weeks=2),
    ]


def test_front_desk_books_an_empty_time_from_the_keyboard(log_in, page, live_server, clinic):
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)
    slot = page.get_by_role("link", name=re.compile(r"^Book 14:00 with Dr\. Ben Okafor"))
    expect(slot).to_have_count(1)
    # Taken, in a break or in the past: no link.
    for taken in (r"^Book 10:00 with Dr\. Anna", r"^Book 12:00 with Dr\. Ben"):
        expect(page.get_by_role("link", name=re.compile(taken))).to_have_count(0)

    slot.focus()
    expect(slot).to_be_visible()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/staff/appointments/new/\?.*time=14%3A00"))
    expect(page.get_by_label("Practitioner")).to_have_value(str(clinic["ben"].pk))


def test_front_desk_changes_the_length_by_dragging_the_bottom_edge(
    log_in, page, live_server, clinic, screenshot
):
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)
    block = page.locator(f'.cal-block[data-appointment="{clinic["moving"].pk}"]')
    handle = block.locator(".cal-resize")
    box = handle.bounding_box()
    column = _column(page, "Dr. Anna Weber").bounding_box()

    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, column["y"] + _y(page, "11:00"), steps=5)
    screenshot(page, "calendar-resizing", full_page=False)
    page.mouse.up()

    expect(page.get_by_text("Appointment changed.")).to_be_visible()
    moving = Appointment.objects.get(pk=clinic["moving"].pk)
    assert (moving.start, moving.end) == (clinic["at"]("10:00"), clinic["at"]("11:00"))


def test_front_desk_changes_the_length_in_the_move_dialog(log_in, page, live_server, clinic):
    make_appointment(
        clinic["anna"], clinic["at"]("10:30"), kind=clinic["kind"], location=clinic["location"]
    )
    log_in(page, "frontdesk")
    _open_day(page, live_server, clinic)

    page.locator(f'.cal-block[data-appointment="{clinic["moving"].pk}"]').focus()
    page.keyboard.press("m")
    dialog = page.get_by_role("dialog", name="Move appointment")
    dialog.get_by_label("Length (minutes)").select_option("45")
    dialog.get_by_role("button", name="Move appointment").click()

    expect(dialog.get_by_role("alert")).to_contain_text("already has an appointment from 10:30")
    moving = Appointment.objects.get(pk=clinic["moving"].pk)
    assert moving.end == clinic["at"]("10:30")

    dialog.get_by_label("Time").fill("15:00")
    dialog.get_by_role("button", name="Move appointment").click()

    expect(page.get_by_text("Appointment changed.")).to_be_visible()
    moving.refresh_from_db()
    assert (moving.start, moving.end) == (clinic["at"]("15:00"), clinic["at"]("15:45"))


def test_front_desk_moves_a_series_from_one_on_skipping_a_conflict(
    log_in, page, live_server, clinic, screenshot
):
    location, anna, kind = clinic["location"], clinic["anna"], clinic["kind"]
    today = timezone.now().astimezone(location.tz).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    olivia = clinic["moving"].patient
    booked = series.book_series(
        patient=olivia,
        practitioner=anna,
        appointment_type=kind,
        location=location,
        starts=series.series_starts(monday, dt.time(9), [0], 4, location.tz),
    )
    tuesday = monday + dt.timedelta(weeks=2, days=1)
    busy = dt.datetime.combine(tuesday, dt.time(11), tzinfo=location.tz).astimezone(dt.UTC)
    make_appointment(anna, busy, kind=kind, location=location)
    log_in(page, "frontdesk")

    page.goto(f"{live_server.url}/staff/appointments/{booked[1].pk}/")
    page.get_by_role("link", name="Move this and the following (3)").click()
    page.get_by_label("New date").fill((monday + dt.timedelta(weeks=1, days=1)).isoformat())
    page.get_by_label("New time").fill("11:00")
    page.get_by_role("button", name="Check the new times").click()

    expect(page.get_by_text("1 appointment cannot move as asked")).to_be_visible()
    expect(page.get_by_text("already has an appointment")).to_be_visible()
    page.set_viewport_size({"width": 768, "height": 1200})
    screenshot(page, "series-move-conflict-tablet")
    page.get_by_role("button", name="Move them").click()

    expect(page.get_by_text("2 appointments moved.")).to_be_visible()
    starts = [
        a.start.astimezone(location.tz)
        for a in Appointment.objects.filter(series=booked[0].series).order_by("start")
    ]
    assert [(s.weekday(), s.hour) for s in starts] == [(0, 9), (1, 11), (0, 9), (1, 11)]


def test_day_and_week_views_at_desktop_and_tablet_width(
    log_in, page, live_server, clinic, screenshot
):
    log_in(page, "frontdesk")
    for view in ("day", "week"):
        page.goto(
            f"{live_server.url}/staff/calendar/?view={view}&practitioner=&date={clinic['day']}"
        )
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(page, f"calendar-{view}-{width}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"the {view} view scrolls sideways at {width} pixels"
