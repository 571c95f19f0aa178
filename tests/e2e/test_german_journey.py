"""The whole journey in German: a German clinic's public page, online booking, the e-mailed
intake and the staff pages. Real Chromium against a live server; screenshots to look at."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from sotclinic.demo.clinic import DEMO_PASSWORD, load_demo_clinic
from sotclinic.intake.models import Intake
from sotclinic.intake.services import intake_token
from sotclinic.scheduling.models import Appointment, ClinicSettings, Practitioner
from tests.conftest import ARTIFACTS
from tests.e2e.intake_pages import PRECAUTION_FIELDS
from tests.factories import make_complete_intake, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def german_clinic():
    cache.clear()  # booking attempts counted by earlier tests from the same address
    load_demo_clinic()
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()
    # Load the German catalogues once here: on a busy machine the live server's first
    # German page would otherwise spend most of the page timeout reading them.
    with translation.override("de"):
        translation.gettext("Book an appointment")


def _weiter(page):
    page.get_by_role("button", name="Speichern und weiter").click()


def test_patient_books_and_fills_the_intake_in_german_and_staff_read_it_in_german(
    browser, live_server, screenshot, german_clinic
):
    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, "de-public-home-phone")

    page.get_by_role("link", name="Termin buchen").first.click()
    expect(page.get_by_role("heading", name="Welche Terminart?")).to_be_visible()
    page.get_by_role("link", name=re.compile("New-patient exam")).click()
    expect(page.get_by_role("heading", name="Bei wem?")).to_be_visible()
    page.get_by_role("link", name=re.compile("Nächster freier Termin")).click()
    expect(page.get_by_role("heading", name=re.compile("Freie Zeiten am"))).to_be_visible()
    screenshot(page, "de-booking-times-phone")
    page.locator(".day-strip a.day").nth(3).click()
    page.locator(".time-grid a.time").first.click()
    expect(page.get_by_label("Vorname")).to_be_visible()
    expect(page.get_by_label("Geburtsdatum")).to_be_visible()
    page.locator("input[name=first_name]").fill("Lena")
    page.locator("input[name=last_name]").fill("Neumann")
    page.locator("input[name=email]").fill("lena.neumann@example.com")
    page.locator("input[name=phone]").fill("+49 30 901820")
    page.locator("input[name=date_of_birth]").fill("1988-02-03")
    page.locator("input[name=consent]").check()
    screenshot(page, "de-booking-details-phone")
    page.get_by_role("button", name="Buchung bestätigen").click()
    page.wait_for_url(re.compile("/portal/book/confirmed/"))
    expect(page.get_by_role("heading", name="Ihr Termin ist gebucht")).to_be_visible()
    screenshot(page, "de-booking-confirmed-phone")

    appointment = Appointment.objects.get(patient__email="lena.neumann@example.com")
    confirmation = next(m for m in mail.outbox if m.to == ["lena.neumann@example.com"])
    assert "Ihr Termin ist gebucht." in confirmation.body
    assert "Wann:" in confirmation.body

    intake = Intake.objects.get(patient=appointment.patient)
    page.goto(f"{live_server.url}/intake/{intake_token(intake)}/")
    expect(page.locator(".intake-progress")).to_contain_text("Schritt 1 von")
    screenshot(page, "de-intake-about-phone")
    _weiter(page)
    expect(page.get_by_role("heading", name="Vorgeschichte und Medikamente")).to_be_visible()
    expect(page.get_by_label("Frühere und aktuelle Erkrankungen")).to_be_visible()
    page.locator("textarea[name=conditions]").fill("keine")
    page.locator("textarea[name=surgeries]").fill("keine")
    page.locator("textarea[name=medications]").fill("keine")
    page.locator("input[name=pregnant][value=not_applicable]").check()
    for code in PRECAUTION_FIELDS:
        page.locator(f"input[name={code}][value=no]").check()
    screenshot(page, "de-intake-history-phone")
    _weiter(page)
    # Complaint titles and safety questions come from data files, in German.
    expect(page.get_by_text("Kreuzschmerzen", exact=True).first).to_be_visible()
    expect(page.get_by_text("Low back pain")).to_have_count(0)
    page.locator("input[name=complaints][value=low_back]").check()
    page.locator("select[name=low_back_onset]").select_option(index=1)
    page.locator("input[name=low_back_severity]").fill("4")
    _weiter(page)
    expect(
        page.get_by_text(re.compile("Taubheitsgefühl, Kribbeln oder vermindertes Gefühl"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile("numbness|bladder|Have you"))).to_have_count(0)
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input[value=no]").check()
    screenshot(page, "de-intake-safety-phone", full_page=True)
    _weiter(page)
    # The questionnaires keep the wording of their sources (English only so far), and say so.
    expect(page.get_by_text(re.compile("wird auf Englisch angezeigt")).first).to_be_visible()
    page.locator("#fs_nprs__nprs_pain input[value='4']").check()
    screenshot(page, "de-intake-questionnaires-phone")
    _weiter(page)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="An die Praxis senden").click()
    expect(page.get_by_role("heading", name="Vielen Dank")).to_be_visible()
    screenshot(page, "de-intake-done-phone")
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Benutzername").fill("anna")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", name="Heute")).to_be_visible()
    screenshot(page, "de-staff-home-desktop")

    page.goto(f"{live_server.url}/staff/calendar/?view=week")
    expect(page.get_by_role("heading", name=re.compile("Woche ab"))).to_be_visible()
    screenshot(page, "de-staff-calendar-desktop")

    page.goto(f"{live_server.url}/staff/patients/{appointment.patient_id}/intakes/")
    expect(page.get_by_role("heading", name=re.compile("Aufnahmebogen vom"))).to_be_visible()
    expect(page.get_by_text("Erkrankungen", exact=True)).to_be_visible()
    screenshot(page, "de-staff-intake-desktop")

    flagged = make_complete_intake(red_flags={"lb_saddle_numbness": "yes"})
    page.goto(f"{live_server.url}/staff/patients/{flagged.patient_id}/red-flags/")
    expect(
        page.get_by_role("heading", name=re.compile("Mögliches Cauda-equina-Syndrom"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile("cauda equina syndrome|Saddle numbness"))).to_have_count(0)
    screenshot(page, "de-staff-red-flags-desktop", full_page=True)

    visit = make_visit(Practitioner.objects.get(user__username="anna"), appointment.patient)
    page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
    panel = page.locator("#exam-analysis")
    sciatic = page.get_by_role(
        "group", name="Punkte stärksten Schmerzes entlang des N. ischiadicus"
    )
    sciatic.get_by_text("Links", exact=True).click()
    field = "[name$=-legcheck-prone_knees_straight-{}]"
    page.locator(field.format("side")).select_option("left")
    page.locator(field.format("mm")).fill("6")
    page.locator(field.format("confidence")).select_option("high")
    page.locator("[name$=-legcheck-supine-side]").select_option("right")
    page.locator("[name$=-legcheck-supine-confidence]").select_option("low")
    page.locator("[name$=-asl-status]").select_option("suspected")
    page.locator("[name$=-asl-side]").select_option("left")
    page.locator("[name$=-cmrt-0-line]").select_option("2")
    page.locator("[name$=-cmrt-0-area]").select_option("3")
    page.locator("[name$=-cmrt-0-side]").select_option("left")
    page.locator("[name$=-cmrt-0-level]").select_option("T5")
    page.locator("[name$=-cmrt-0-reflex]").fill("stomach")
    page.locator("[name$=-cmrt-0-trapezius]").select_option("not_confirmed")
    page.locator("[name$=-rc-0-pair]").select_option("C1-L5")
    page.locator("[name$=-rc-0-side]").select_option("bilateral")
    expect(panel).to_contain_text("Vorgeschlagenes Blocken: Patient in Bauchlage")
    expect(panel).to_contain_text("Die Beinlängenprüfungen in Bauchlage und in Rückenlage")
    expect(panel).to_contain_text("Anatomisch kurzes Bein (vermutet), Seite: links.")
    expect(panel).to_contain_text("R+C-Faktor C1–L5 (beidseitig)")
    expect(panel).to_contain_text("T5 → Magen; Trapeziusreflex auf Höhe T5 nicht bestätigt")
    screenshot(page, "de-staff-exam-desktop", full_page=True)
    panel.screenshot(path=str(ARTIFACTS / "de-staff-exam-analysis-desktop.png"))
    desk.close()


def test_the_german_exam_page_says_kategorie_and_german_sides(
    browser, live_server, screenshot, log_in
):
    """The visit page of a German clinic, as a practitioner sees it in Chromium, with a saved
    draft (two categories' findings, the old one-line prone check, an anatomical short leg) and
    a signed note: no English category or side word anywhere in its visible text."""
    from tests.factories import (
        make_location,
        make_patient,
        make_practitioner,
        save_note,
        sign_visit,
    )
    from tests.i18n.test_german_sot_words import ENGLISH, _state

    practitioner = make_practitioner(make_location())
    patient = make_patient()
    draft = make_visit(practitioner, patient)
    save_note(
        draft,
        exam_state=_state(),
        confirmed_category="II",
        confirmed_side="left",
        override_reason="Klinische Entscheidung",
    )
    signed = make_visit(practitioner, make_patient())
    sign_visit(
        signed,
        exam_state=_state(),
        confirmed_category="III",
        confirmed_side="right",
        override_reason="Klinische Entscheidung",
        blocking_category="II",
        blocking_side="bilateral",
    )
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    page.set_default_timeout(10_000)
    log_in(page, practitioner.user.username)
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()

    for visit, name in ((draft, "de-exam-draft-desktop"), (signed, "de-exam-signed-desktop")):
        page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        text = page.locator("main").inner_text()
        found = sorted({m.group(0) for m in ENGLISH.finditer(text)})
        screenshot(page, name, full_page=True)
        assert not found, f"{name}: English words {found}"
        assert "Kategorie" in text
    desk.close()
