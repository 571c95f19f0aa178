"""Front desk finds a patient by part of the surname and corrects the phone number."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.patients.models import Patient
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_finds_a_patient_and_edits_the_phone_number(
    log_in, page, live_server, screenshot
):
    location = make_location(name="Harbour Street Chiropractic")
    doctor = make_practitioner(location, display_name="Dr. Anna Weber")
    make_user(Role.FRONT_DESK, username="frontdesk")
    olivia = make_patient(
        first_name="Olivia",
        last_name="Hartley-Montgomery",
        date_of_birth=dt.date(1984, 3, 7),
        email="olivia.hartley-montgomery@example.com",
        phone="+442079460018",
        address="1 Quay Road\nHarbourtown",
        consent_to_contact=True,
    )
    make_patient(first_name="Tom", last_name="Hart", phone="+441174960002")
    make_patient(first_name="Ann", last_name="Jones")
    now = timezone.now().replace(second=0, microsecond=0)
    make_appointment(doctor, now - dt.timedelta(days=14), patient=olivia, status="completed")
    make_appointment(doctor, now - dt.timedelta(days=7), patient=olivia, status="no_show")
    make_appointment(doctor, now + dt.timedelta(days=3), patient=olivia)

    log_in(page, "frontdesk")
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Find a patient").fill("hart")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 matches")).to_be_visible()
    for width, name in ((1280, "desktop"), (390, "390")):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"patients-search-{name}")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Hartley-Montgomery, Olivia").click()
    expect(page.get_by_role("heading", name="Olivia Hartley-Montgomery")).to_be_visible()
    expect(page.get_by_role("link", name="Chart")).to_have_count(0)
    for width, name in ((1280, "desktop"), (390, "390")):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"patients-detail-{name}")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Edit details").click()
    page.get_by_role("textbox", name="Phone").fill("0117 496 0123")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot(page, "patients-edit-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"{live_server.url}/staff/patients/{olivia.pk}/")
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("link", name="0117 496 0123")).to_be_visible()
    assert Patient.objects.get(pk=olivia.pk).phone == "+441174960123"
