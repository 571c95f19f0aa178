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


def test_demo_visits_chart_blocking_as_the_method_prescribes():
    call_command("demo", stdout=io.StringIO())

    signed = [
        v
        for v in Visit.objects.select_related("note__exam", "note__procedures")
        if v.note.is_signed
    ]

    categories = {v.note.procedures.blocking_category for v in signed}
    assert categories == {"I", "II", "III"}
    for visit in signed:
        procedures, exam = visit.note.procedures, visit.note.exam
        placements = procedures.blocking_placements.lower()
        if procedures.blocking_category == "II":
            assert placements.startswith("supine"), placements
            assert "prone" not in placements
        else:
            assert placements.startswith("prone"), placements
        if placements.startswith("supine"):
            assert "asis" not in placements
            assert "anterior superior" not in placements
        for block in exam.suggestion["protocol"]["blocks"]:
            assert block["landmark"].lower() in placements


def test_demo_prone_blocking_puts_the_trochanter_block_on_the_short_leg_side():
    call_command("demo", stdout=io.StringIO())

    prone = [
        v.note
        for v in Visit.objects.select_related("note__exam", "note__procedures")
        if v.note.is_signed and v.note.procedures.blocking_category in ("I", "III")
    ]

    assert prone
    for note in prone:
        short = note.exam.state["findings"]["leg_length"]["prone_short_side"]
        long = "left" if short == "right" else "right"
        placements = note.procedures.blocking_placements.lower()
        assert f"{short} block at the greater trochanter" in placements
        assert f"{long} block" in placements
        assert "asis" in placements.split(f"{long} block", 1)[1]
