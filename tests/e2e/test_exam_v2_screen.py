"""A practitioner records the version-2 exam on a visit in real Chromium: leg checks that
disagree, CMRT with the trapezius confirmation, an R+C factor and a positive Hoffmann sign."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.intake.models import RedFlagFinding
from tests.conftest import ARTIFACTS
from tests.e2e.exam_screen import tick
from tests.factories import make_location, make_patient, make_practitioner, make_user, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sections(page, width: str) -> None:
    """Close-ups of the new sections, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("exam-screening", "leg-length", "exam-cmrt", "exam-rc", "exam-analysis"):
        page.locator(f".{name}").first.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))


def test_disagreeing_leg_checks_and_a_positive_hoffmann_sign_are_said_plainly(
    log_in, page, live_server, screenshot
):
    doctor = make_practitioner(make_location(), user=make_user(Role.PRACTITIONER, username="anna"))
    visit = make_visit(doctor, make_patient(first_name="Olivia", last_name="Smith"))
    url = f"/staff/visits/{visit.pk}/"
    log_in(page, "anna", lands_on=url, then=url)
    panel = page.locator("#exam-analysis")

    tick(page, "Arm fossa test", "Left")
    tick(page, "Inguinal ligament sensitivity", "Left")
    page.get_by_label("Prone, knees straight: short leg").select_option("left")
    page.get_by_label("Prone, knees straight: difference in mm").fill("6")
    page.get_by_label("Prone, knees straight: confidence").select_option("medium")
    page.get_by_label("Supine: short leg").select_option("right")
    page.get_by_label("Supine: confidence").select_option("low")
    expect(panel).to_contain_text("The prone and supine leg checks disagree on the short side")
    expect(panel).to_contain_text("Prone, knees straight: left leg short by 6 mm")

    page.get_by_label("CMRT row 1 line").select_option("2")
    page.get_by_label("CMRT row 1 area").select_option("3")
    page.get_by_label("CMRT row 1 side", exact=True).select_option("right")
    page.get_by_label("CMRT row 1 vertebral level").select_option("T5")
    page.get_by_label("CMRT row 1 trapezius confirmation").select_option("confirmed")
    expect(panel).to_contain_text("trapezius reflex confirmed at T5")
    page.get_by_label("R+C row 1 pair").select_option("C1-L5")
    page.get_by_label("R+C row 1 side").select_option("left")
    expect(panel).to_contain_text("R+C factor C1–L5 (left)")
    tick(page, "Hoffmann sign", "positive")
    expect(panel).to_contain_text("Upper-motor-neurone sign positive: Hoffmann sign")
    screenshot(page, "exam-v2-desktop")
    _sections(page, "desktop")
    page.set_viewport_size({"width": 820, "height": 1180})
    expect(panel).to_contain_text("disagree")
    screenshot(page, "exam-v2-tablet")
    _sections(page, "tablet")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_text("Upper-motor-neurone sign found on examination").first).to_be_visible()
    assert RedFlagFinding.objects.filter(patient=visit.patient, handled_at=None).count() == 1
    screenshot(page, "exam-v2-saved")
