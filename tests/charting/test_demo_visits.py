import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sotclinic.charting.models import Note, Visit
from sotclinic.charting.selectors import unsigned_notes_due

pytestmark = pytest.mark.django_db


def test_demo_charts_past_appointments_with_signed_exams_and_one_old_draft():
    call_command("demo", stdout=io.StringIO())

    visits = Visit.objects.select_related("appointment", "note__exam", "note__procedures")
    signed = [v for v in visits if v.note.is_signed]
    drafts = [v for v in visits if not v.note.is_signed]

    assert len(signed) >= 8
    assert len({v.patient_id for v in signed}) >= 3
    assert all(v.appointment.status == "completed" for v in visits)
    assert not visits.filter(started_at__gt=timezone.now()).exists()
    for visit in signed:
        exam = visit.note.exam
        assert exam.state["findings"]["indicators"]
        assert exam.suggestion["category"] == exam.suggested_category
        assert exam.confirmed_category == exam.suggested_category
        assert visit.note.pain_score is not None
        assert visit.note.procedures.adjustment_regions
        assert visit.note.signed_by == visit.practitioner.user
    assert any(v.note.exam.cleared_indicators for v in signed)
    assert any(
        len(v.note.exam.cleared_indicators) < len(v.note.exam.state["recheck"]) for v in signed
    )
    assert len(drafts) == 1
    assert list(unsigned_notes_due()) == [Note.objects.get(visit=drafts[0])]
