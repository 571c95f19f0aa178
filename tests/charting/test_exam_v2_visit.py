"""A visit saved with the version-2 exam: leg checks named in the reasons, the checks before neck
work stored, a positive upper-motor-neurone sign raising a red flag, bad input refused whole."""

import pytest

from sotclinic.charting.models import ExamRecord, Note
from sotclinic.charting.selectors import describe_suggestion
from sotclinic.charting.services import copy_forward
from sotclinic.intake.models import RedFlagFinding
from tests.factories import make_location, make_practitioner, make_visit

pytestmark = pytest.mark.django_db

DISAGREEING_CHECKS = {
    "exam-ind-arm_fossa_test": "left",
    "exam-legcheck-prone_knees_straight-side": "left",
    "exam-legcheck-prone_knees_straight-mm": "6",
    "exam-legcheck-prone_knees_straight-confidence": "medium",
    "exam-legcheck-supine-side": "right",
    "exam-legcheck-supine-confidence": "low",
}


@pytest.fixture
def doctor():
    return make_practitioner(make_location())


def _save(client, visit, fields):
    client.force_login(visit.practitioner.user)
    note = Note.objects.get(pk=visit.note.pk)
    data = {"version": note.version, "action": "save", **fields}
    return client.post(f"/staff/visits/{visit.pk}/", data)


def test_positive_hoffmann_sign_raises_an_open_red_flag_on_the_patient(client, doctor):
    visit = make_visit(doctor)

    response = _save(
        client, visit, {"exam-umn-hoffmann": "positive", "exam-umn-clonus": "negative"}
    )

    assert response.status_code in (200, 302)
    flag = RedFlagFinding.objects.get(patient=visit.patient)
    assert flag.rule_id == "exam_upper_motor_neurone_sign"
    assert flag.is_open and flag.intake is None
    assert "Hoffmann sign" in flag.explanation
    assert "10.1186/s12891-019-2871-y" in flag.source
    page = client.get(f"/staff/visits/{visit.pk}/").content.decode()
    assert "Upper-motor-neurone sign found on examination" in page


def test_saving_again_does_not_raise_the_same_open_flag_twice(client, doctor):
    visit = make_visit(doctor)
    _save(client, visit, {"exam-umn-babinski": "positive"})

    _save(client, visit, {"exam-umn-babinski": "positive", "exam-umn-hoffmann": "positive"})

    assert RedFlagFinding.objects.filter(patient=visit.patient).count() == 1


def test_negative_or_untested_signs_raise_no_flag(client, doctor):
    visit = make_visit(doctor)

    _save(client, visit, {"exam-umn-hoffmann": "negative", "exam-umn-clonus": "not_tested"})

    assert not RedFlagFinding.objects.filter(patient=visit.patient).exists()


def test_bad_blood_pressure_is_a_400_naming_the_field_and_saves_nothing(client, doctor):
    visit = make_visit(doctor)

    response = _save(
        client,
        visit,
        {"exam-bp-systolic": "900", "exam-bp-diastolic": "80", "exam-umn-hoffmann": "positive"},
    )

    assert response.status_code == 400
    assert "Blood pressure: systolic must be between 50 and 300 mmHg." in response.text
    assert ExamRecord.objects.get(note__visit=visit).state == {}
    assert not RedFlagFinding.objects.filter(patient=visit.patient).exists()


def test_nul_in_an_exam_note_is_a_400_and_saves_nothing(client, doctor):
    visit = make_visit(doctor)

    response = _save(
        client, visit, {"exam-gait-result": "abnormal", "exam-gait-note": "wide\x00based"}
    )

    assert response.status_code == 400
    assert "NUL" in response.text
    assert ExamRecord.objects.get(note__visit=visit).state == {}


def test_stored_exam_keeps_the_checks_and_the_screen(client, doctor):
    visit = make_visit(doctor)

    _save(
        client,
        visit,
        DISAGREEING_CHECKS
        | {"exam-bp-systolic": "132", "exam-bp-diastolic": "86", "exam-gait-result": "normal"},
    )

    state = ExamRecord.objects.get(note__visit=visit).state
    assert [c["method"] for c in state["findings"]["leg_checks"]] == [
        "prone_knees_straight",
        "supine",
    ]
    assert state["screening"]["blood_pressure"] == {"systolic": 132, "diastolic": 86}
    assert state["screening"]["gait"] == {"result": "normal", "note": ""}


def test_reasons_name_the_leg_check_used_and_say_plainly_that_checks_disagree(client, doctor):
    visit = make_visit(doctor)
    _save(client, visit, DISAGREEING_CHECKS)
    exam = ExamRecord.objects.get(note__visit=visit)

    labels = [r["label"] for r in describe_suggestion(exam.suggestion, exam.state)["reasons"]]
    page = client.get(f"/staff/visits/{visit.pk}/").content.decode()

    assert any(label.startswith("The prone and supine leg checks disagree") for label in labels)
    assert not any(label in ("Leg length", "None") or "_" in label for label in labels)
    assert "The prone and supine leg checks disagree on the short side" in page
    assert "leg_check_disagreement" not in page


def test_anatomical_short_leg_shows_the_heel_lift_note_in_words(client, doctor):
    visit = make_visit(doctor)
    _save(
        client,
        visit,
        DISAGREEING_CHECKS | {"exam-asl-status": "measured", "exam-asl-side": "left"},
    )
    exam = ExamRecord.objects.get(note__visit=visit)

    labels = [r["label"] for r in describe_suggestion(exam.suggestion, exam.state)["reasons"]]

    assert any(label.startswith("Anatomical short leg (measured), left side.") for label in labels)


def test_copy_forward_brings_findings_and_rc_factors_but_not_the_checks_before_neck_work(
    client, doctor
):
    earlier = make_visit(doctor)
    _save(
        client,
        earlier,
        DISAGREEING_CHECKS
        | {"exam-rc-0-pair": "C2-L4", "exam-rc-0-side": "right", "exam-umn-clonus": "positive"},
    )
    today = make_visit(doctor, earlier.patient)
    note = Note.objects.get(visit=today)

    copy_forward(note.pk, doctor.user, note.version)

    state = ExamRecord.objects.get(note__visit=today).state
    assert state["rc_factors"] == [{"pair": "C2-L4", "side": "right", "response": None}]
    assert len(state["findings"]["leg_checks"]) == 2
    assert "screening" not in state
