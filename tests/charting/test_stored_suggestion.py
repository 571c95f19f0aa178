"""The suggestion a note stores is the one the practitioner saw, with the clinic's own table."""

import re

import pytest

from sotclinic.charting.errors import CannotSign
from sotclinic.charting.models import Note
from sotclinic.charting.services import sign_note
from sotclinic.exam.selectors import suggestion_fingerprint
from sotclinic.exam.services import save_protocol_table
from sotclinic.sot import default_protocol_table
from tests.factories import exam_state, make_location, make_practitioner, make_visit, save_note

pytestmark = pytest.mark.django_db

CLINIC_LANDMARK = "clinic landmark: under the left sacral ala"
FINDINGS = {
    "exam-ind-achilles_tension": "right",
    "exam-ind-gluteal_tension_asymmetry": "right",
    "exam-leg-side": "right",
    "exam-leg-mm": "5",
}


@pytest.fixture
def doctor():
    return make_practitioner(make_location(name="Harbour Street"))


def _edit_clinic_table(user, landmark: str) -> None:
    table = default_protocol_table().as_dict()
    table["categories"]["I"]["blocks"]["right"][1]["landmark"] = landmark
    save_protocol_table(table, user)


def _shown_fingerprint(html: str) -> str:
    match = re.search(r'name="exam-shown" value="([0-9a-f]*)"', html)
    assert match, "the analysis panel says which suggestion it shows"
    return match.group(1)


def _visit_form(note, action: str, shown: str) -> dict:
    return {
        "version": note.version,
        "action": action,
        "confirmed_category": "I",
        "confirmed_side": "right",
        "exam-shown": shown,
        **FINDINGS,
    }


def test_saved_and_signed_note_stores_the_suggestion_the_live_panel_showed(client, doctor):
    visit = make_visit(doctor)
    _edit_clinic_table(doctor.user, CLINIC_LANDMARK)
    client.force_login(doctor.user)

    live = client.post("/exam/analyze?prefix=exam", FINDINGS)
    shown = _shown_fingerprint(live.text)
    client.post(f"/staff/visits/{visit.pk}/", _visit_form(visit.note, "save", shown))
    saved = Note.objects.get(pk=visit.note.pk)
    client.post(f"/staff/visits/{visit.pk}/", _visit_form(saved, "sign", shown))

    note = Note.objects.select_related("exam").get(pk=visit.note.pk)
    assert CLINIC_LANDMARK in live.text
    assert note.is_signed
    assert suggestion_fingerprint(note.exam.suggestion) == shown
    assert CLINIC_LANDMARK in [b["landmark"] for b in note.exam.suggestion["protocol"]["blocks"]]


def test_visit_page_after_saving_shows_the_stored_suggestion(client, doctor):
    visit = make_visit(doctor)
    _edit_clinic_table(doctor.user, CLINIC_LANDMARK)
    save_note(visit, exam_state=exam_state(("achilles_tension", "right"), short_leg="right"))
    client.force_login(doctor.user)

    page = client.get(f"/staff/visits/{visit.pk}/")

    stored = Note.objects.get(pk=visit.note.pk).exam.suggestion
    assert _shown_fingerprint(page.text) == suggestion_fingerprint(stored)


def test_table_edited_after_saving_is_what_signing_stores_and_the_page_shows(client, doctor):
    visit = make_visit(doctor)
    note = save_note(
        visit,
        exam_state=exam_state(("achilles_tension", "right"), short_leg="right"),
        confirmed_category="I",
        confirmed_side="right",
    )
    _edit_clinic_table(doctor.user, CLINIC_LANDMARK)
    client.force_login(doctor.user)
    shown = _shown_fingerprint(client.get(f"/staff/visits/{visit.pk}/").text)

    sign_note(note.pk, doctor.user, note.version, shown_suggestion=shown)

    exam = Note.objects.get(pk=note.pk).exam
    assert suggestion_fingerprint(exam.suggestion) == shown
    assert CLINIC_LANDMARK in [b["landmark"] for b in exam.suggestion["protocol"]["blocks"]]


def test_signing_is_refused_when_the_table_changed_after_the_page_was_shown(client, doctor):
    visit = make_visit(doctor)
    note = save_note(
        visit,
        exam_state=exam_state(("achilles_tension", "right"), short_leg="right"),
        confirmed_category="I",
        confirmed_side="right",
    )
    client.force_login(doctor.user)
    shown = _shown_fingerprint(client.get(f"/staff/visits/{visit.pk}/").text)
    _edit_clinic_table(doctor.user, CLINIC_LANDMARK)

    with pytest.raises(CannotSign, match="protocol table changed while this note was open"):
        sign_note(note.pk, doctor.user, note.version, shown_suggestion=shown)

    assert not Note.objects.get(pk=note.pk).is_signed
