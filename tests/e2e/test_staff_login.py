import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_logs_in_and_sees_todays_appointments(log_in, page, live_server, screenshot):
    location = make_location(name="Harbour Street Chiropractic")
    doctor = make_practitioner(
        location, user=make_user(Role.PRACTITIONER, username="anna"), display_name="Dr. Anna Weber"
    )
    now_local = timezone.now().astimezone(location.tz)
    start = now_local.replace(minute=0, second=0, microsecond=0)
    make_appointment(doctor, start, patient=make_patient(first_name="Olivia", last_name="Smith"))

    log_in(page, "anna", lands_on=None)

    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.get_by_role("heading", name="Today").is_visible()
    column = page.get_by_role("region", name="Dr. Anna Weber")
    assert column.get_by_text("Olivia Smith").is_visible()
    assert column.get_by_text(f"{start:%H:%M}–").is_visible()
    screenshot(page, "staff-home-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert column.get_by_text("Olivia Smith").is_visible()
    screenshot(page, "staff-home-phone")


def test_patient_logging_in_cannot_open_the_staff_home(log_in, page, live_server):
    make_user(Role.PATIENT, username="paula")

    log_in(page, "paula", lands_on=None)
    response = page.goto(f"{live_server.url}/staff/")

    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()


def test_anonymous_visitor_is_sent_to_the_log_in_page(page, live_server):
    page.goto(f"{live_server.url}/staff/")

    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()


def test_wrong_password_shows_a_clear_message(page, live_server):
    make_user(Role.PRACTITIONER, username="anna")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").filter(has_text="correct username and password").is_visible()
