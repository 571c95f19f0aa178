"""A patient books from the clinic's home page on a phone and cancels through the e-mail;
staff see the week. Real Chromium against a live server."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from sotclinic.demo.clinic import load_demo_clinic
from sotclinic.scheduling.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo_clinic():
    cache.clear()  # booking attempts counted by earlier tests from the same address
    load_demo_clinic()


def test_patient_books_from_the_home_page_and_cancels_from_the_email(
    page, live_server, screenshot, demo_clinic
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Harbour Street Chiropractic").is_visible()
    screenshot(page, "public-home-phone")

    page.get_by_role("link", name="Book an appointment").first.click()
    page.get_by_role("link", name=re.compile("New-patient exam")).click()
    page.get_by_role("link", name=re.compile("First available")).click()
    day_heading = page.get_by_role("heading", name=re.compile("Free times on"))
    assert day_heading.is_visible()
    screenshot(page, "booking-times-phone")
    # A day a few days ahead, so the visit lies outside the cancellation window.
    page.locator(".day-strip a.day").nth(3).click()
    page.locator(".time-grid a.time").first.click()

    page.get_by_label("First name").fill("Olivia")
    page.get_by_label("Last name").fill("Newpatient")
    page.get_by_label("E-mail").fill("olivia.new@example.com")
    page.get_by_label("Phone").fill("+44 117 496 0555")
    page.get_by_label("Date of birth").fill("1988-02-03")
    page.get_by_label(re.compile("I agree")).check()
    screenshot(page, "booking-details-phone")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile("/portal/book/confirmed/"))

    assert page.get_by_role("heading", name="You're booked").is_visible()
    screenshot(page, "booking-confirmed-phone")
    appointment = Appointment.objects.get(patient__email="olivia.new@example.com")
    assert appointment.status == Appointment.Status.BOOKED

    confirmation = next(m for m in mail.outbox if m.to == ["olivia.new@example.com"])
    link = re.search(r"https?://\S+/portal/booking/\S+/", confirmation.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Cancel appointment").click()
    page.get_by_text("This appointment is cancelled").wait_for()

    assert page.get_by_text("This appointment is cancelled").is_visible()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_booking_steps_work_by_keyboard(page, live_server, demo_clinic):
    page.goto(f"{live_server.url}/portal/book/")

    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent || ''")
        if "New-patient exam" in focused:
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type=\d+"))

    assert page.get_by_role("heading", name="With whom?").is_visible()


def test_staff_week_view(page, live_server, screenshot, demo_clinic):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("sotclinic-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/staff/")

    page.get_by_role("link", name="Calendar").click()

    assert page.get_by_role("heading", name=re.compile("Week of")).is_visible()
    assert page.locator(".cal-block").count() > 5
    screenshot(page, "staff-week-desktop")
    page.goto(f"{live_server.url}/staff/calendar/?view=day")
    screenshot(page, "staff-day-desktop")
    # Next week's appointments are all still booked, whatever the day and hour of the run.
    page.goto(f"{live_server.url}/staff/calendar/")
    page.get_by_role("link", name="Next →").click()
    page.locator(".cal-block.status-booked").first.click()
    expect(page.get_by_role("button", name="Arrived")).to_be_visible()
    expect(page.get_by_role("button", name="No-show")).to_be_visible()


def test_staff_see_an_appointments_history(page, live_server, screenshot, demo_clinic):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("sotclinic-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/calendar/")
    page.get_by_role("link", name="Next →").click()
    page.locator(".cal-block.status-booked").first.click()
    appointment_url = page.url

    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_label("Patient unwell").check()
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_text("Appointment cancelled.")).to_be_visible()
    page.goto(appointment_url)

    history = page.locator(".history")
    expect(history.get_by_text("Booked", exact=True)).to_be_visible()
    expect(history.get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(history.get_by_text("Staff pages")).to_be_visible()
    expect(history.get_by_text("Status: Booked → Cancelled")).to_be_visible()
    screenshot(page, "appointment-history-desktop")
