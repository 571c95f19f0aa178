import pytest

from sotclinic.accounts.models import Role
from sotclinic.intake.models import QuestionnaireResponse
from sotclinic.intake.services import intake_token
from tests.e2e.intake_pages import answer_history_with_nothing_to_report
from tests.factories import make_intake, make_patient, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _continue(page):
    page.get_by_role("button", name="Save and continue").click()


def test_patient_records_a_night_in_the_sleep_diary_and_staff_read_its_metrics(
    log_in, browser, live_server, screenshot
):
    make_user(Role.PRACTITIONER, username="anna")
    patient = make_patient(first_name="Nora", last_name="Night")
    intake = make_intake(patient)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/intake/{intake_token(intake)}/")
    _continue(page)
    answer_history_with_nothing_to_report(page)
    _continue(page)
    page.get_by_role("checkbox", name="Sleep problems", exact=True).check()
    page.get_by_label("Sleep problems: when did it start?").select_option("over_3_months")
    page.get_by_label("Sleep problems: how bad is it today, 0 (none) to 10 (worst)?").fill("6")
    _continue(page)
    for fieldset in page.locator("fieldset.question").all():  # the sleep safety questions
        fieldset.get_by_label("No", exact=True).check()
    _continue(page)
    assert page.get_by_role("heading", name="Sleep diary (last night)").is_visible()
    page.get_by_label("When did you get into bed?").fill("22:30")
    page.get_by_label("When did you start trying to fall asleep?").fill("23:00")
    page.get_by_label("Once you started trying").fill("30")
    page.get_by_label("how many times did you wake up").fill("2")
    page.get_by_label("Adding those times together").fill("40")
    page.get_by_label("When did you wake up for the last time?").fill("06:00")
    page.get_by_label("When did you get out of bed for the day?").fill("06:30")
    text = page.locator("main").inner_text().lower()
    assert "licen" not in text and "sotclinic" not in text and "source" not in text
    screenshot(page, "intake-sleep-diary-phone")
    _continue(page)
    page.get_by_label("I have read the information").check()
    page.get_by_role("button", name="Send to the clinic").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    phone.close()

    assert QuestionnaireResponse.objects.get(patient=patient).score == 72.9
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/outcomes/")
    assert page.get_by_text("total sleep time (min): 350").is_visible()
    page.get_by_text("Provenance: licence and source").first.click()
    assert page.get_by_text("Carney", exact=False).first.is_visible()
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "patient-outcome-sleep-diary")
    desk.close()
