"""Typing into a visit note in real Chromium never loses it: Enter saves, the draft autosaves,
copying earlier findings asks first, and a lost connection keeps the changes until it is back."""

import re

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.charting.models import Note
from tests.e2e.exam_screen import tick
from tests.factories import (
    exam_state,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED_AUTOMATICALLY = re.compile(r"Draft saved automatically at \d\d:\d\d:\d\d")


@pytest.fixture
def visit(db):
    doctor = make_practitioner(
        make_location(name="Harbour Street Chiropractic"),
        user=make_user(Role.PRACTITIONER, username="anna"),
        display_name="Dr. Anna Weber",
    )
    patient = make_patient(first_name="Olivia", last_name="Smith")
    earlier = make_visit(doctor, patient=patient)
    sign_visit(earlier, exam_state=exam_state(("achilles_tension", "right")))
    return make_visit(doctor, patient=patient)


def _note(visit) -> Note:
    return Note.objects.select_related("exam").get(pk=visit.note.pk)


def _indicators(note: Note) -> list[dict]:
    return note.exam.state["findings"]["indicators"]


def test_enter_in_the_pain_field_saves_the_draft_and_keeps_the_typed_exam(
    log_in, page, live_server, visit, screenshot
):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
    expect(page.get_by_role("button", name=re.compile("Copy findings from"))).to_be_visible()

    page.get_by_label("Complaints").fill("Low back pain, worse sitting")
    tick(page, "Arm fossa test", "Left")
    expect(page.locator("#exam-analysis")).to_contain_text("Category II")
    expect(page.locator("#exam-summary")).to_contain_text("Category II")
    page.get_by_label("Pain today (0–10)").fill("6")
    page.get_by_label("Pain today (0–10)").press("Enter")

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    note = _note(visit)
    assert dialogs == []
    assert note.copied_from_id is None
    assert (note.complaints, note.pain_score) == ("Low back pain, worse sitting", 6)
    assert _indicators(note) == [{"code": "arm_fossa_test", "side": "left"}]
    expect(page.get_by_label("Complaints")).to_have_value("Low back pain, worse sitting")
    expect(page.get_by_test_id("suggested-category")).to_contain_text("Category II")
    screenshot(page, "visit-enter-saves-desktop")


def test_copying_earlier_findings_asks_first_and_declining_changes_nothing(
    log_in, page, live_server, visit
):
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
    tick(page, "Arm fossa test", "Left")
    expect(page.get_by_role("status").filter(has_text=SAVED_AUTOMATICALLY)).to_be_visible()

    page.get_by_role("button", name=re.compile("Copy findings from")).click()

    assert len(asked) == 1 and asked[0].startswith("Replace this draft's exam findings")
    expect(page.get_by_label("Complaints")).to_be_visible()
    assert _note(visit).copied_from_id is None
    assert _indicators(_note(visit)) == [{"code": "arm_fossa_test", "side": "left"}]


def test_autosaved_ticks_and_text_survive_a_reload_and_a_lost_connection(
    log_in, page, live_server, visit, screenshot
):
    log_in(page, "anna")
    page.goto(f"{live_server.url}/staff/visits/{visit.pk}/")
    status = page.locator("[data-autosave-status]")

    tick(page, "Arm fossa test", "Right")
    page.get_by_label("Assessment notes").fill("Pelvic instability pattern")
    expect(status).to_have_text(SAVED_AUTOMATICALLY)
    page.reload()

    expect(page.get_by_label("Assessment notes")).to_have_value("Pelvic instability pattern")
    expect(page.get_by_role("group", name="Arm fossa test").get_by_label("Right")).to_be_checked()
    expect(page.locator("#exam-summary")).to_contain_text("Category II")

    page.context.set_offline(True)
    page.get_by_label("Home advice").fill("Walk daily")
    expect(status).to_contain_text("no connection")
    leaving_is_questioned = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    screenshot(page, "visit-offline-desktop", full_page=False)
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED_AUTOMATICALLY)
    page.reload()

    assert leaving_is_questioned
    expect(page.get_by_label("Home advice")).to_have_value("Walk daily")
    assert _note(visit).home_advice == "Walk daily"


def test_autosave_in_a_second_tab_opened_earlier_shows_a_conflict(
    log_in, page, browser, live_server, visit, screenshot
):
    log_in(page, "anna")
    url = f"{live_server.url}/staff/visits/{visit.pk}/"
    page.goto(url)
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.context.add_cookies(page.context.cookies())
    phone.goto(url)

    page.get_by_label("Complaints").fill("Written on the desktop")
    expect(page.locator("[data-autosave-status]")).to_have_text(SAVED_AUTOMATICALLY)
    phone.get_by_label("Complaints").fill("Written on the phone")

    expect(phone.locator("[data-autosave-status]")).to_contain_text("Not saved: ")
    expect(phone.locator("[data-autosave-status]")).to_contain_text("saved version 2")
    phone.locator("[data-autosave-status]").scroll_into_view_if_needed()
    screenshot(phone, "visit-conflict-phone", full_page=False)
    screenshot(phone, "visit-draft-phone")
    assert _note(visit).complaints == "Written on the desktop"

    phone.get_by_role("button", name="Save draft").click()
    expect(phone.get_by_text("Someone else saved this note after you opened it")).to_be_visible()
    phone.context.close()
