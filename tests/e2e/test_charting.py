"""A practitioner charts today's visit in real Chromium: exam, suggestion, sign, addendum."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.charting.models import Note, Visit
from sotclinic.scheduling.models import ClinicSettings
from tests.e2e.exam_screen import tick
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit_history,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_charts_signs_and_adds_an_addendum(
    log_in, page, browser, live_server, screenshot
):
    # Codes from the shipped ICD-10-CM list, which a clinic coding in ICD-10-CM searches.
    clinic = ClinicSettings.load()
    clinic.diagnosis_codes = "icd10cm"
    clinic.save()
    location = make_location(name="Harbour Street Chiropractic")
    doctor = make_practitioner(
        location, user=make_user(Role.PRACTITIONER, username="anna"), display_name="Dr. Anna Weber"
    )
    patient = make_patient(first_name="Olivia", last_name="Smith", phone="+44 117 496 0001")
    make_visit_history(doctor, patient, 6)
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=patient)

    log_in(page, "anna")
    column = page.get_by_role("region", name="Dr. Anna Weber")
    column.get_by_role("button", name="Start visit").click()
    page.wait_for_url(f"{live_server.url}/staff/visits/*/")
    visit = Visit.objects.get(appointment=appointment)

    page.get_by_label("Complaints").fill("Low back pain, worse sitting")
    page.get_by_label("Pain today (0–10)").fill("6")
    tick(page, "Arm fossa test", "Left")
    tick(page, "Inguinal ligament sensitivity", "Left")
    panel = page.locator("#exam-analysis")
    expect(panel).to_contain_text("Category II")
    expect(panel.locator("svg[data-position='supine']")).to_be_visible()
    page.get_by_label("Category (your call)").select_option("II")
    page.get_by_label("Side (your call)").select_option("left")
    page.get_by_label("Search codes").fill("low back")
    page.get_by_text("M54.50", exact=True).click()
    page.get_by_label("Lumbar").check()
    page.get_by_label("Pelvic").check()
    expect(page.get_by_text("2 regions")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_test_id("suggested-category")).to_contain_text("Category II")
    screenshot(page, "charting-visit-draft")

    # A second tab keeps the draft open, as a colleague's screen would.
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.context.add_cookies(page.context.cookies())
    other.goto(page.url)

    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    expect(page.get_by_text("Signed", exact=False).first).to_be_visible()
    screenshot(page, "charting-visit-signed")

    other.get_by_label("Complaints").fill("A later edit")
    other.get_by_role("button", name="Save draft").click()
    expect(other.get_by_text("This note is signed; add an addendum instead.")).to_be_visible()
    other.context.close()
    assert Note.objects.get(visit=visit).complaints == "Low back pain, worse sitting"

    page.get_by_label("Addendum").fill("Patient phoned: pain eased the next morning.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(page.locator(".addendum")).to_contain_text("pain eased the next morning")

    page.get_by_role("link", name="Chart of Olivia Smith").click()
    expect(page.get_by_role("heading", name="Olivia Smith")).to_be_visible()
    expect(page.locator("table.timeline tbody tr")).to_have_count(7)
    expect(page.locator(".sparkline svg polyline")).to_be_visible()
    screenshot(page, "charting-chart")


def test_practitioner_starts_todays_visit_with_the_last_visits_findings(
    log_in, page, live_server, screenshot
):
    location = make_location(name="Harbour Street Chiropractic")
    doctor = make_practitioner(
        location, user=make_user(Role.PRACTITIONER, username="anna"), display_name="Dr. Anna Weber"
    )
    patient = make_patient(first_name="Olivia", last_name="Smith")
    make_visit_history(doctor, patient, 3)
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=patient)

    log_in(page, "anna")
    screenshot(page, "charting-day-list")
    column = page.get_by_role("region", name="Dr. Anna Weber")
    column.get_by_role("button", name="Start with last visit's findings").click()
    page.wait_for_url(f"{live_server.url}/staff/visits/*/")

    expect(page.get_by_text("Copied — review before signing.")).to_be_visible()
    expect(page.locator("#exam-analysis")).to_contain_text("Category II")
    screenshot(page, "charting-visit-copied")
    note = Note.objects.get(visit__appointment=appointment)
    assert note.copy_review_pending
    assert note.exam.state["findings"]["indicators"] == [{"code": "arm_fossa_test", "side": "left"}]
