"""A patient's urgent answers in the browser: told what to do now at once; the practitioner
finds the flag on the staff home, the front desk sees only that a flag is open."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.intake.services import intake_token
from sotclinic.scheduling.models import ClinicSettings
from tests.e2e.intake_pages import answer_history_with_nothing_to_report
from tests.factories import make_intake, make_location, make_patient, make_practitioner, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _continue(page):
    page.get_by_role("button", name="Save and continue").click()


def _both_widths(page, screenshot, name):
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        screenshot(page, f"{name}-{label}")


def _fill_intake_up_to_red_flags(page, url):
    page.goto(url)
    _continue(page)  # details come from the patient record
    answer_history_with_nothing_to_report(page)
    _continue(page)
    page.get_by_role("checkbox", name="Low back pain", exact=True).check()
    page.get_by_label("Low back pain: when did it start?").select_option("under_6_weeks")
    page.get_by_label("Low back pain: how bad is it today, 0 (none) to 10 (worst)?").fill("8")
    _continue(page)
    for fieldset in page.locator("fieldset.question").all():
        fieldset.get_by_label("No", exact=True).check()
    page.locator("#fs_lb_saddle_numbness").get_by_label("Yes", exact=True).check()
    page.locator("#fs_spine_bladder_bowel").get_by_label("Yes", exact=True).check()
    _continue(page)


def test_urgent_answers_tell_the_patient_what_to_do_and_reach_the_clinic_at_once(
    browser, live_server, log_in, screenshot
):
    location = make_location(name="Harbour Street", phone="+44 117 496 0000")
    make_practitioner(location, user=make_user(Role.PRACTITIONER, username="anna"))
    make_user(Role.FRONT_DESK, username="frontdesk")
    settings = ClinicSettings.load()
    settings.emergency_number = "999"
    settings.save()
    patient = make_patient(first_name="Olivia", last_name="Hartley")
    intake = make_intake(patient)

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    _fill_intake_up_to_red_flags(page, f"{live_server.url}/intake/{intake_token(intake)}/")

    # At once, on the very next page, before the intake is sent.
    advice = page.get_by_role("alert").filter(has_text="Please act now")
    assert advice.is_visible()
    assert advice.get_by_text("go to an emergency department (A&E) now").is_visible()
    assert advice.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    assert advice.get_by_role("link", name="+44 117 496 0000").is_visible()
    _both_widths(page, screenshot, "urgent-advice-next-step")
    page.set_viewport_size(PHONE)
    page.locator("#fs_nprs__nprs_pain").get_by_label("8", exact=True).check()
    _continue(page)
    page.get_by_label("I have read the information").check()
    page.get_by_role("button", name="Send to the clinic").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert page.get_by_role("alert").filter(has_text="Please act now").is_visible()
    assert page.get_by_text("go through it with you at your visit").count() == 0
    _both_widths(page, screenshot, "urgent-advice-sent")
    context.close()

    staff = browser.new_context(viewport=DESKTOP)
    page = staff.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "anna")
    flags = page.get_by_role("region", name="Open red flags")
    assert flags.get_by_role("link", name="Olivia Hartley").is_visible()
    assert flags.get_by_text("Possible cauda equina syndrome").is_visible()
    assert flags.get_by_role("link", name="Review and record handling").is_visible()
    _both_widths(page, screenshot, "staff-home-open-red-flag-practitioner")
    staff.close()

    desk = browser.new_context(viewport=DESKTOP)
    page = desk.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "frontdesk")
    flags = page.get_by_role("region", name="Open red flags")
    assert flags.get_by_text("Flag open").is_visible()
    assert "cauda equina" not in page.content().lower()
    _both_widths(page, screenshot, "staff-home-open-red-flag-front-desk")
    flags.get_by_role("link", name="Olivia Hartley").click()
    banner = page.get_by_role("alert", name="Red flags")
    assert banner.get_by_text("Red flag open on this patient").is_visible()
    assert "cauda equina" not in page.content().lower()
    _both_widths(page, screenshot, "patient-page-flag-open-front-desk")
    desk.close()
