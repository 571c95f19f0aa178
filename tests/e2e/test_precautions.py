"""A pregnant patient's intake, then a Category II exam: the practitioner sees the precaution
beside "supine", acknowledges it, and the acknowledgement is recorded."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.intake.models import PrecautionAcknowledgement, PrecautionRecord
from sotclinic.intake.services import intake_token
from tests.e2e.exam_screen import tick
from tests.e2e.intake_pages import answer_no_precautions
from tests.factories import (
    make_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _continue(page):
    page.get_by_role("button", name="Save and continue").click()


def _fill_intake_24_weeks_pregnant(page, url):
    page.goto(url)
    _continue(page)  # details are pre-filled from the booking
    page.get_by_label("Past and current health conditions").fill("none")
    page.get_by_label("Operations and serious injuries").fill("none")
    page.get_by_label("Medicines you take").fill("none")
    page.locator("#fs_pregnant").get_by_label("Yes", exact=True).check()
    answer_no_precautions(page)
    _continue(page)
    expect(page.get_by_text("Say how many weeks pregnant you are")).to_be_visible()
    page.get_by_label("If you are pregnant: how many weeks?").fill("24")
    _continue(page)
    page.get_by_role("checkbox", name="Low back pain", exact=True).check()
    page.get_by_label("Low back pain: when did it start?").select_option("under_6_weeks")
    page.get_by_label("Low back pain: how bad is it today, 0 (none) to 10 (worst)?").fill("5")
    _continue(page)
    for fieldset in page.locator("fieldset.question").all():
        fieldset.get_by_label("No", exact=True).check()
    _continue(page)
    page.get_by_label("I walk more slowly than usual because of my back.").check()
    page.locator("#fs_nprs__nprs_pain").get_by_label("5", exact=True).check()
    _continue(page)
    page.get_by_label("I have read the information").check()
    page.get_by_role("button", name="Send to the clinic").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()


def test_pregnant_category_two_patient_shows_the_supine_precaution_until_acknowledged(
    log_in, browser, live_server, screenshot
):
    doctor = make_practitioner(make_location(), user=make_user(Role.PRACTITIONER, username="anna"))
    patient = make_patient(first_name="Maya", last_name="Okafor")
    intake = make_intake(patient)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    _fill_intake_24_weeks_pregnant(page, f"{live_server.url}/intake/{intake_token(intake)}/")
    assert PrecautionRecord.objects.get(patient=patient, code="pregnancy").weeks == 24
    visit = make_visit(doctor, patient=patient)

    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
    tick(page, "Arm fossa test", "Left")
    tick(page, "Inguinal ligament sensitivity", "Left")
    panel = page.locator("#exam-analysis")
    expect(panel).to_contain_text("patient supine")
    beside = panel.locator(".exam-precautions")
    expect(beside).to_contain_text("24 weeks pregnant: supine positioning precaution")
    expect(beside).to_contain_text("not yet acknowledged")
    panel.scroll_into_view_if_needed()
    screenshot(page, "precaution-exam-desktop")
    page.set_viewport_size({"width": 820, "height": 1180})
    expect(beside).to_be_visible()
    screenshot(page, "precaution-exam-tablet")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Save draft").last.click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    section = page.get_by_role("region", name="Precautions")
    section.get_by_role("button", name="Acknowledge: 24 weeks pregnant").click()

    expect(page.get_by_text("Precaution acknowledged for this visit.")).to_be_visible()
    expect(page.get_by_role("region", name="Precautions")).to_contain_text("Acknowledged by")
    expect(page.locator("#exam-analysis .exam-precautions")).to_contain_text("acknowledged by")
    screenshot(page, "precaution-acknowledged-desktop")
    ack = PrecautionAcknowledgement.objects.get(visit=visit)
    assert ack.acknowledged_by == doctor.user and ack.precaution.weeks == 24
    context.close()
