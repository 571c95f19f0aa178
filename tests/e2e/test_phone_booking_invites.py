"""Front desk books a new patient who called, then moves and cancels the visit: the patient's
e-mails carry an invite each time (REQUEST, then a REQUEST of a higher SEQUENCE, then CANCEL)
and the first one the link to the intake. Real Chromium against a live server."""

import datetime as dt
import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "olivia.caller@example.com"


def _invite(email) -> tuple[str, icalendar.Event]:
    [(name, content, mimetype)] = email.attachments
    assert name == "appointment.ics"
    cal = icalendar.Calendar.from_ical(content)
    [event] = cal.walk("VEVENT")
    assert mimetype == f"text/calendar; method={cal['METHOD']}"
    return str(cal["METHOD"]), event


def _to_patient():
    return [m for m in mail.outbox if m.to == [EMAIL]]


def test_front_desk_books_moves_and_cancels_a_phone_booking(
    log_in, page, live_server, screenshot, settings
):
    settings.SITE_URL = live_server.url
    location = make_location(
        name="Harbour Street Chiropractic", phone="020 7946 0000", email="hello@harbour.example"
    )
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    make_user(Role.FRONT_DESK, username="frontdesk")
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=6)

    log_in(page, "frontdesk")
    page.goto(f"{live_server.url}/staff/patients/new/")
    page.locator("#id_first_name").fill("Olivia")
    page.locator("#id_last_name").fill("Caller")
    page.locator("#id_date_of_birth").fill("1988-02-03")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_phone").fill("020 7946 0555")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Olivia Caller")).to_be_visible()
    page.get_by_role("link", name="Book appointment").click()
    page.locator("#id_appointment_type").select_option(label="New-patient exam (45 min)")
    page.locator("#id_practitioner").select_option(label="Dr. Anna Weber")
    page.locator("#id_date").fill(day.isoformat())
    page.locator("#id_time").fill("10:00")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Appointment booked.")).to_be_visible()

    appointment = Appointment.objects.get(patient__email=EMAIL)
    [confirmation] = _to_patient()
    method, event = _invite(confirmation)
    assert (method, int(event["SEQUENCE"])) == ("REQUEST", 0)
    assert str(event["ORGANIZER"]) == "mailto:hello@harbour.example"
    assert str(event["ATTENDEE"]) == f"mailto:{EMAIL}"
    intake_link = re.search(rf"{live_server.url}/intake/\S+/", confirmation.body).group(0)
    assert "sotclinic" not in confirmation.message().as_string().lower()

    page.goto(f"{live_server.url}/staff/appointments/{appointment.pk}/")
    page.locator("#id_time").fill("14:00")
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_text("Appointment moved.")).to_be_visible()

    confirmation, moved = _to_patient()
    method, event = _invite(moved)
    assert (method, int(event["SEQUENCE"])) == ("REQUEST", 1)
    assert event.decoded("DTSTART").astimezone(location.tz).hour == 14
    assert "has moved" in moved.subject

    page.goto(f"{live_server.url}/staff/appointments/{appointment.pk}/")
    screenshot(page, "phone-booking-appointment-page")
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_label("Patient unwell").check()
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_text("Appointment cancelled.")).to_be_visible()
    page.goto(f"{live_server.url}/staff/appointments/{appointment.pk}/")
    expect(page.locator(".status-cancelled").first).to_be_visible()

    confirmation, moved, cancelled = _to_patient()
    method, event = _invite(cancelled)
    assert (method, int(event["SEQUENCE"]), str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
    assert len({str(_invite(m)[1]["UID"]) for m in (confirmation, moved, cancelled)}) == 1
    screenshot(page, "phone-booking-cancelled")

    page.goto(intake_link)  # the patient's intake link opens the intake
    expect(page.get_by_role("heading").first).to_be_visible()
    screenshot(page, "phone-booking-intake-link")
