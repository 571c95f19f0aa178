"""The waitlist and the worklist in a real browser: a patient joins the waitlist from the
booking page, front desk cancels a matching appointment, the offer reaches the outbox, the
patient books the freed time from the e-mail's link and a second waitlisted patient is told
it is taken; a practitioner's worklist shows a completed appointment without a visit and its
button opens that visit. Real Chromium against a live server."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.charting.models import Visit
from sotclinic.scheduling import waitlist
from sotclinic.scheduling.models import Appointment, WaitlistEntry
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def clinic():
    cache.clear()  # booking attempts counted by earlier tests from the same address
    location = make_location(name="Harbour Street Chiropractic", time_zone="Europe/London")
    anna = make_open_practitioner(
        location,
        "08:00",
        "18:00",
        display_name="Dr. Anna Weber",
        user=make_user(Role.PRACTITIONER, username="anna"),
    )
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=location.tz).astimezone(dt.UTC)
    make_user(Role.FRONT_DESK, username="frontdesk")
    return {"location": location, "anna": anna, "kind": kind, "day": day, "start": start}


def _offer_link(address: str) -> str:
    offer = next(m for m in mail.outbox if m.to == [address] and "come free" in m.subject)
    return re.search(r"https?://\S+/portal/book/waitlist/offer/\S+/", offer.body).group(0)


def test_a_waitlisted_patient_books_a_freed_time_and_the_next_is_told_it_is_taken(
    page, live_server, log_in, screenshot, clinic, settings
):
    # Offers go out from the change itself, outside any request: links use SITE_URL.
    settings.SITE_URL = live_server.url
    kind, day = clinic["kind"], clinic["day"]
    booked = make_appointment(
        clinic["anna"], clinic["start"], kind=kind, location=clinic["location"]
    )
    # Henry waits already (added by front desk); Nora joins from the booking page.
    henry = make_patient(first_name="Henry", last_name="Clarke", email="henry@example.com")
    waitlist.add_to_waitlist(
        patient=henry,
        appointment_type=kind,
        practitioner=None,
        weekdays=range(7),
        earliest=dt.time(8),
        latest=dt.time(18),
        source=WaitlistEntry.Source.STAFF,
    )

    page.goto(f"{live_server.url}/portal/book/?type={kind.pk}&practitioner={clinic['anna'].pk}")
    page.get_by_role("link", name="Put me on the waitlist").click()
    page.get_by_role("checkbox", name=day.strftime("%A")).check()
    page.get_by_label("From").fill("09:00")
    page.get_by_label("Until").fill("12:00")
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("E-mail").fill("nora@example.com")
    page.get_by_label("Phone").fill("+44 117 496 0555")
    page.get_by_label("Date of birth").fill("1990-05-04")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Put me on the waitlist").click()
    expect(page.get_by_role("heading", name="You are on the waitlist")).to_be_visible()

    # Front desk sees both on the waitlist, then cancels the matching appointment.
    staff = page.context.browser.new_context(viewport=DESKTOP)
    desk = staff.new_page()
    log_in(desk, "frontdesk")
    desk.get_by_role("link", name="Waitlist").first.click()
    expect(desk.get_by_role("rowheader", name=re.compile("Quinn, Nora"))).to_be_visible()
    expect(desk.get_by_role("rowheader", name=re.compile("Clarke, Henry"))).to_be_visible()
    screenshot(desk, "waitlist-desktop")
    desk.set_viewport_size(TABLET)
    screenshot(desk, "waitlist-tablet")
    desk.goto(f"{live_server.url}/staff/appointments/{booked.pk}/cancel/")
    desk.get_by_label("Patient unwell").check()
    desk.get_by_role("button", name="Cancel the appointment").click()
    expect(desk.get_by_text("Appointment cancelled.")).to_be_visible()
    staff.close()

    # The offers went out through the outbox, sent by the worker's code path.
    nora_link, henry_link = _offer_link("nora@example.com"), _offer_link("henry@example.com")

    page.goto(nora_link)
    expect(page.get_by_role("heading", name="A time has come free")).to_be_visible()
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_url(re.compile("/portal/book/confirmed/"))
    appointment = Appointment.objects.exclude(status="cancelled").get(start=clinic["start"])
    assert appointment.patient.email == "nora@example.com"
    assert WaitlistEntry.objects.get(patient=appointment.patient).closed_as == "booked"

    page.goto(henry_link)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="This time has just been taken")).to_be_visible()
    expect(page.get_by_role("heading", name="Other free times that suit you")).to_be_visible()
    screenshot(page, "waitlist-offer-taken")
    assert WaitlistEntry.objects.get(patient=henry).is_open
    assert (
        Appointment.objects.exclude(status="cancelled").filter(start=clinic["start"]).count() == 1
    )


def test_the_worklist_shows_a_completed_appointment_without_a_visit_and_opens_it(
    page, live_server, log_in, screenshot, clinic
):
    olivia = make_patient(first_name="Olivia", last_name="Smith")
    yesterday = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1)
    forgotten = make_appointment(
        clinic["anna"],
        yesterday,
        patient=olivia,
        kind=clinic["kind"],
        location=clinic["location"],
        status="completed",
    )

    page.set_viewport_size(DESKTOP)
    log_in(page, "anna")
    page.get_by_role("link", name="Worklist").click()
    section = page.get_by_role("region", name=re.compile("Completed appointments with no visit"))
    expect(section.get_by_role("link", name="Olivia Smith")).to_be_visible()
    screenshot(page, "worklist-desktop")
    page.set_viewport_size(TABLET)
    screenshot(page, "worklist-tablet")

    section.get_by_role("button", name=re.compile("Open the visit record")).click()
    page.wait_for_url(re.compile(r"/staff/visits/\d+/"))
    visit = Visit.objects.get(appointment=forgotten)
    assert page.url.endswith(f"/staff/visits/{visit.pk}/")
    expect(page.get_by_text("Olivia Smith").first).to_be_visible()
