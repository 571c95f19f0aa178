import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.services import intake_token
from tests.e2e.intake_pages import answer_no_precautions
from tests.factories import (
    make_complete_intake,
    make_follow_up_response,
    make_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _continue(page):
    page.get_by_role("button", name="Save and continue").click()


def test_patient_reports_a_red_flag_and_practitioner_records_its_handling(
    log_in, browser, live_server, screenshot
):
    doctor = make_practitioner(make_location(), user=make_user(Role.PRACTITIONER, username="anna"))
    patient = make_patient(first_name="Olivia", last_name="Smith")
    intake = make_intake(patient)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/intake/{intake_token(intake)}/")
    assert page.get_by_role("heading", name="About you").is_visible()
    _continue(page)  # details are pre-filled from the booking
    page.get_by_label("Past and current health conditions").fill("none")
    page.get_by_label("Operations and serious injuries").fill("none")
    _continue(page)
    assert page.locator("#fs_medications, .has-error").count() >= 1  # medicines left empty
    assert page.get_by_text("This field is required.").first.is_visible()
    page.get_by_label("Medicines you take").fill("ibuprofen 200 mg as needed")
    page.get_by_label("Does not apply").check()
    answer_no_precautions(page)
    _continue(page)
    page.get_by_role("checkbox", name="Low back pain", exact=True).check()
    page.get_by_label("Low back pain: when did it start?").select_option("under_6_weeks")
    page.get_by_label("Low back pain: how bad is it today, 0 (none) to 10 (worst)?").fill("7")
    _continue(page)
    assert page.get_by_role("heading", name="Safety questions").is_visible()
    for fieldset in page.locator("fieldset.question").all():
        fieldset.get_by_label("No", exact=True).check()
    page.locator("#fs_lb_saddle_numbness").get_by_label("Yes", exact=True).check()
    screenshot(page, "intake-red-flags-phone")
    _continue(page)
    page.get_by_label("I stay at home most of the time because of my back.").check()
    page.get_by_label("I walk more slowly than usual because of my back.").check()
    page.locator("#fs_nprs__nprs_pain").get_by_label("7", exact=True).check()
    screenshot(page, "intake-questionnaires-phone")
    _continue(page)
    page.get_by_label("I have read the information").check()
    page.get_by_role("button", name="Send to the clinic").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/chart/")
    banner = page.get_by_role("alert", name="Red flags")
    assert banner.get_by_text("Possible cauda equina syndrome").is_visible()
    screenshot(page, "chart-with-red-flag-banner")
    banner.get_by_role("link", name="Review and record handling").click()
    card = page.get_by_role("region", name="Possible cauda equina syndrome")
    card.get_by_label("Ruled out after assessment").check()
    card.get_by_role("button", name="Record handling").click()
    assert page.get_by_text("Give the reason").is_visible()
    card = page.get_by_role("region", name="Possible cauda equina syndrome")
    card.get_by_label("Ruled out after assessment").check()
    card.get_by_label("Reason / note").fill(
        "Saddle sensation and sphincter history normal on exam."
    )
    card.get_by_role("button", name="Record handling").click()
    assert page.get_by_text("Recorded how").is_visible()
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/chart/")
    assert page.get_by_role("alert", name="Red flags").count() == 0
    finding = RedFlagFinding.objects.get(patient=patient)
    assert finding.handling == "ruled_out" and finding.handled_by == doctor.user
    desk.close()


def test_outcome_chart_and_dashboard_screens(log_in, page, live_server, screenshot):
    make_user(Role.PRACTITIONER, username="ben")
    start = timezone.now() - dt.timedelta(weeks=12)
    patients = []
    for i, (rmdq, nprs) in enumerate(
        [((14, 9, 5), (7, 5, 3)), ((10, 8, 8), (6, 6, 5)), ((16, 12, 4), (8, 6, 2))]
    ):
        patient = make_patient(first_name=f"P{i}", last_name="Demo")
        make_complete_intake(patient, completed_at=start, rmdq_ticks=rmdq[0], nprs=nprs[0])
        for n, weeks in enumerate((4, 8), start=1):
            when = start + dt.timedelta(weeks=weeks)
            make_follow_up_response(patient, "rmdq", rmdq[n], when, sequence=n)
            make_follow_up_response(patient, "nprs", nprs[n], when, sequence=n)
        patients.append(patient)

    log_in(page, "ben")
    page.goto(f"{live_server.url}/staff/patients/{patients[0].pk}/outcomes/")
    assert page.get_by_role("heading", name="Roland-Morris", exact=False).first.is_visible()
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "patient-outcome-chart")
    page.goto(f"{live_server.url}/staff/outcomes/")
    assert page.get_by_text("observational and uncontrolled").is_visible()
    row = page.locator("tr[data-instrument=rmdq]")
    assert row.get_by_text("2 of 3").is_visible()
    screenshot(page, "outcomes-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "outcomes-dashboard-phone")


def test_practitioner_reads_the_intakes_from_the_chart(log_in, page, live_server, screenshot):
    from sotclinic.intake.services import Channel, save_step
    from tests.factories import intake_sections

    make_user(Role.PRACTITIONER, username="cara")
    patient = make_patient(first_name="Noah", last_name="Brown")
    make_complete_intake(
        patient, complaints=("low_back", "neck"), red_flags={"lb_saddle_numbness": "yes"}
    )
    draft = make_intake(patient)
    save_step(draft, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)

    log_in(page, "cara")
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/chart/")
    page.get_by_role("link", name="Intakes", exact=True).click()

    assert page.get_by_role("heading", name="Intakes · Noah Brown").is_visible()
    assert page.get_by_text("in progress (not complete)").is_visible()
    assert page.get_by_text("Possible cauda equina syndrome").first.is_visible()
    screenshot(page, "patient-intakes")
