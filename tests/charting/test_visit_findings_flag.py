"""``Visit.has_findings`` follows the visit's exam: set when a saved exam has a suggestion
(findings that a later visit can copy forward), cleared when it has none or is deleted, and the
day list and copy-forward read it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotclinic.charting.models import ExamRecord, Visit
from sotclinic.charting.services import previous_visit_with_exam
from tests.factories import (
    exam_state,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    save_note,
    sign_visit,
)

pytestmark = pytest.mark.django_db

CAT_II_LEFT = exam_state(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left"))


def _flag(visit) -> bool:
    return Visit.objects.values_list("has_findings", flat=True).get(pk=visit.pk)


def test_a_new_visit_has_no_findings():
    assert _flag(make_visit()) is False


def test_saving_a_draft_exam_with_findings_sets_the_visits_flag():
    visit = make_visit()

    save_note(visit, exam_state=CAT_II_LEFT)

    assert _flag(visit) is True


def test_saving_an_exam_that_gives_no_suggestion_clears_the_flag():
    visit = make_visit()
    save_note(visit, exam_state=CAT_II_LEFT)

    save_note(visit, exam_state={})  # no findings: the engine is not asked

    assert ExamRecord.objects.get(note__visit=visit).suggestion is None
    assert _flag(visit) is False


def test_deleting_a_draft_exam_clears_the_flag():
    visit = make_visit()
    save_note(visit, exam_state=CAT_II_LEFT)

    ExamRecord.objects.get(note__visit=visit).delete()

    assert _flag(visit) is False


def test_saving_an_exam_writes_the_flag_in_one_update_without_reading_the_visit():
    visit = make_visit()
    save_note(visit, exam_state=CAT_II_LEFT)
    exam = ExamRecord.objects.select_related("note").get(note__visit=visit)

    with CaptureQueriesContext(connection) as queries:
        exam.save()

    [flag_update] = [q["sql"] for q in queries if "charting_visit" in q["sql"]]
    assert flag_update.startswith("UPDATE")
    assert "charting_note" not in flag_update  # the note at hand gives the visit's id
    assert _flag(visit) is True


def test_signing_keeps_the_flag_and_the_guard_lets_it_change_on_a_signed_visit():
    visit = make_visit()
    sign_visit(visit, exam_state=CAT_II_LEFT)
    assert _flag(visit) is True

    # The signed-note guard refuses moving the visit, not this derived column.
    Visit.objects.filter(pk=visit.pk).update(has_findings=False)

    assert _flag(visit) is False


def test_copy_forward_takes_the_latest_earlier_visit_with_findings():
    doctor = make_practitioner(make_location())
    patient = make_patient()
    today = make_visit(doctor, patient)
    with_findings = make_visit(doctor, patient, started_at=today.started_at - dt.timedelta(days=14))
    sign_visit(with_findings, exam_state=CAT_II_LEFT)
    without = make_visit(doctor, patient, started_at=today.started_at - dt.timedelta(days=7))
    sign_visit(without, complaints="No exam that day")

    assert previous_visit_with_exam(today) == with_findings
