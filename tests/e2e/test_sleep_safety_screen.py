"""A patient with a sleep complaint in the browser: asked the sleep screen and nothing about the
back; a self-harm answer tells them at once where to get help now, with the clinic's emergency
number, and the practitioner finds the flag on the staff home."""

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


def test_a_sleep_complaint_asks_the_sleep_screen_and_a_self_harm_answer_gets_help_at_once(
    browser, live_server, log_in, screenshot
):
    location = make_location(name="Harbour Street", phone="+44 117 496 0000")
    make_practitioner(location, user=make_user(Role.PRACTITIONER, username="anna"))
    settings = ClinicSettings.load()
    settings.emergency_number = "112"
    settings.save()
    intake = make_intake(make_patient(first_name="Olivia", last_name="Hartley"))

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/intake/{intake_token(intake)}/")
    _continue(page)
    answer_history_with_nothing_to_report(page)
    _continue(page)
    page.get_by_role("checkbox", name="Sleep problems", exact=True).check()
    page.get_by_label("Sleep problems: when did it start?").select_option("under_6_weeks")
    page.get_by_label("Sleep problems: how bad is it today, 0 (none) to 10 (worst)?").fill("6")
    _continue(page)

    assert page.get_by_text("stop breathing, choke or gasp while you were asleep").is_visible()
    assert page.get_by_text("felt down, depressed or hopeless").is_visible()
    assert page.get_by_text("saddle").count() == 0
    screenshot(page, "sleep-safety-questions-phone")
    for fieldset in page.locator("fieldset.question").all():
        fieldset.get_by_label("No", exact=True).check()
    page.locator("#fs_sl_self_harm").get_by_label("Yes", exact=True).check()
    _continue(page)

    advice = page.get_by_role("alert").filter(has_text="Please act now")
    assert advice.get_by_text("116 123").is_visible()
    assert advice.get_by_role("link", name="112").get_attribute("href") == "tel:112"
    assert advice.get_by_text("go to an emergency department (A&E) now").count() == 0
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        screenshot(page, f"self-harm-advice-{label}")
    context.close()

    staff = browser.new_context(viewport=DESKTOP)
    page = staff.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "anna")
    flags = page.get_by_role("region", name="Open red flags")
    assert flags.get_by_role("link", name="Olivia Hartley").is_visible()
    assert flags.get_by_text("Thoughts of self-harm").is_visible()
    staff.close()
