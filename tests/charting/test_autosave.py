"""Autosave of the visit draft: the same save and version check as "Save draft", in JSON."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.charting.models import Note
from tests.factories import (
    make_location,
    make_practitioner,
    make_user,
    make_visit,
    save_note,
    sign_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    return make_practitioner(make_location(name="Harbour Street"))


def _autosave(client, visit, version, **fields):
    data = {"version": version, "action": "save", **fields}
    return client.post(f"/staff/visits/{visit.pk}/autosave/", data)


def test_autosave_stores_the_note_and_exam_and_answers_the_new_version(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    response = _autosave(
        client,
        visit,
        1,
        complaints="Low back pain",
        pain_score="6",
        **{"exam-ind-arm_fossa_test": "left"},
    )

    note = Note.objects.select_related("exam").get(pk=visit.note.pk)
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert response.json()["version"] == note.version == 2
    assert (note.complaints, note.pain_score) == ("Low back pain", 6)
    assert note.exam.state["findings"]["indicators"] == [{"code": "arm_fossa_test", "side": "left"}]
    assert note.exam.suggested_category == "II"
    assert AccessLog.objects.filter(patient=visit.patient, action=Action.SAVE_DRAFT).count() == 1


def test_autosave_from_a_tab_opened_before_another_save_is_a_visible_conflict(client, doctor):
    visit = make_visit(doctor)
    save_note(visit, complaints="Saved in the other tab")
    client.force_login(doctor.user)

    response = _autosave(client, visit, 1, complaints="Typed in this tab")

    assert response.status_code == 409
    assert response.json()["conflict"] is True
    assert "saved version 2" in response.json()["message"]
    assert Note.objects.get(pk=visit.note.pk).complaints == "Saved in the other tab"
    assert AccessLog.objects.filter(patient=visit.patient, action=Action.SAVE_CONFLICT).exists()


def test_autosave_of_invalid_content_saves_nothing_and_says_why(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    response = _autosave(client, visit, 1, complaints="Typed", pain_score="11")

    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert "pain_score" in response.json()["errors"]
    note = Note.objects.get(pk=visit.note.pk)
    assert (note.version, note.complaints) == (1, "")


def test_autosave_of_a_signed_note_is_refused(client, doctor):
    visit = make_visit(doctor)
    note = sign_visit(visit, complaints="Final")
    client.force_login(doctor.user)

    response = _autosave(client, visit, note.version, complaints="Rewritten")

    assert response.status_code == 409
    assert response.json()["signed"] is True
    assert Note.objects.get(pk=note.pk).complaints == "Final"


def test_front_desk_cannot_autosave_a_note(client, doctor):
    visit = make_visit(doctor)
    client.force_login(make_user(Role.FRONT_DESK))

    response = _autosave(client, visit, 1, complaints="Not mine to write")

    assert response.status_code in (302, 403)
    assert Note.objects.get(pk=visit.note.pk).complaints == ""
