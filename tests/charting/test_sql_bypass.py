"""Ordinary SQL cannot go round the signed-note and audit guards: SQLite's REPLACE,
PostgreSQL's TRUNCATE, and moving the visit behind a signed note, each refused by the
database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from sotclinic.audit.models import AccessLog, Action
from sotclinic.audit.services import record_access
from sotclinic.audit.triggers import installed_guard_names
from sotclinic.charting.models import Addendum, ExamRecord, Note, Procedures, Visit
from sotclinic.charting.services import add_addendum
from tests.factories import exam_state, make_patient, make_practitioner, make_visit, sign_visit

pytestmark = pytest.mark.django_db

CAT_II_LEFT = exam_state(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left"))

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="REPLACE is SQLite's; PostgreSQL has no such statement"
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's; SQLite has none"
)


# The guards' own words, so that a refusal for another reason (a foreign key, a lock) does not
# pass for the guard.
GUARD_WORDS = "append-only|is signed|cannot be changed or deleted|cannot be moved"


def _refused(sql: str, params=()) -> None:
    with (
        pytest.raises(DatabaseError, match=GUARD_WORDS),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _copy_row_sql(verb: str, table: str, pk: int, changes: dict) -> tuple[str, list]:
    """`verb` (e.g. "REPLACE INTO") a copy of row `pk` of `table` with `changes` applied."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    row.update(changes)
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    return f"{verb} {table} ({names}) VALUES ({marks})", list(row.values())


@pytest.fixture
def signed():
    visit = make_visit()
    note = sign_visit(visit, complaints="Neck pain", exam_state=CAT_II_LEFT)
    addendum = add_addendum(note.pk, visit.practitioner.user, "Called the patient back.")
    return visit, note, addendum


@sqlite_only
@pytest.mark.parametrize("verb", ["REPLACE INTO", "INSERT OR REPLACE INTO"])
def test_replace_cannot_rewrite_a_signed_note_or_its_parts(signed, verb):
    visit, note, _ = signed
    exam = ExamRecord.objects.get(note=note)
    procedures = Procedures.objects.get(note=note)

    _refused(*_copy_row_sql(verb, "charting_note", note.pk, {"complaints": "rewritten"}))
    _refused(*_copy_row_sql(verb, "charting_note", note.pk, {"id": None, "complaints": "x"}))
    _refused(*_copy_row_sql(verb, "charting_examrecord", exam.pk, {"confirmed_category": "III"}))
    _refused(*_copy_row_sql(verb, "charting_procedures", procedures.pk, {"cranial": "x"}))

    assert Note.objects.get(pk=note.pk).complaints == "Neck pain"
    assert ExamRecord.objects.get(pk=exam.pk).note_id == note.pk


@sqlite_only
def test_replace_cannot_rewrite_an_addendum_or_an_audit_row(signed):
    _, _, addendum = signed
    row = record_access(signed[0].practitioner.user, signed[0].patient, Action.VIEW_CHART, "chart")

    _refused(*_copy_row_sql("REPLACE INTO", "charting_addendum", addendum.pk, {"text": "x"}))
    _refused(*_copy_row_sql("INSERT OR REPLACE INTO", "audit_accesslog", row.pk, {"detail": "x"}))

    assert Addendum.objects.get(pk=addendum.pk).text == "Called the patient back."
    assert AccessLog.objects.get(pk=row.pk).detail == "chart"


@sqlite_only
def test_update_or_replace_cannot_push_a_signed_note_out_of_its_visit(signed):
    visit, note, _ = signed
    draft_visit = make_visit(practitioner=visit.practitioner)

    _refused(
        "UPDATE OR REPLACE charting_note SET visit_id = %s WHERE id = %s",
        [visit.pk, draft_visit.note.pk],
    )
    _refused(
        "UPDATE OR REPLACE charting_examrecord SET note_id = %s WHERE note_id = %s",
        [note.pk, draft_visit.note.pk],
    )

    assert Note.objects.get(visit=visit).pk == note.pk


@sqlite_only
def test_replace_cannot_move_the_visit_of_a_signed_note(signed):
    visit, _, _ = signed
    other = make_patient()

    _refused(*_copy_row_sql("REPLACE INTO", "charting_visit", visit.pk, {"patient_id": other.pk}))

    assert Visit.objects.get(pk=visit.pk).patient_id == visit.patient_id


@postgresql_only
@pytest.mark.django_db(transaction=True)  # committed rows: nothing pending blocks TRUNCATE
@pytest.mark.parametrize(
    "tables",
    [
        "audit_accesslog",
        "charting_addendum",
        "charting_note, charting_examrecord, charting_procedures, charting_addendum",
        "charting_visit CASCADE",
        "patients_patient CASCADE",
    ],
)
def test_truncate_of_the_audit_log_or_the_charting_tables_is_refused(signed, tables):
    record_access(signed[0].practitioner.user, signed[0].patient, Action.VIEW_CHART, "chart")

    _refused(f"TRUNCATE {tables}")

    assert AccessLog.objects.count() >= 1
    assert Addendum.objects.count() == 1
    assert Note.objects.filter(signed_at__isnull=False).count() == 1


@pytest.mark.parametrize("column", ["patient_id", "practitioner_id", "started_at"])
def test_the_visit_of_a_signed_note_cannot_be_moved(signed, column):
    visit, _, _ = signed
    new_value = {
        "patient_id": lambda: make_patient().pk,
        "practitioner_id": lambda: make_practitioner().pk,
        "started_at": lambda: visit.started_at.replace(year=visit.started_at.year - 1),
    }[column]()

    _refused(f"UPDATE charting_visit SET {column} = %s WHERE id = %s", [new_value, visit.pk])

    assert getattr(Visit.objects.get(pk=visit.pk), column) == getattr(visit, column)


def test_the_visit_of_a_draft_note_can_still_be_corrected():
    visit = make_visit()
    other = make_patient()

    Visit.objects.filter(pk=visit.pk).update(patient=other)

    assert Visit.objects.get(pk=visit.pk).patient == other


def test_the_new_guards_are_installed_on_this_database():
    names = installed_guard_names(connection)

    assert any(n.startswith("guard_charting_visit_signed") for n in names)
    if connection.vendor == "sqlite":
        assert any("charting_note_no_replace" in n for n in names)
        assert any("audit_accesslog_no_replace" in n for n in names)
    else:
        assert "guard_audit_accesslog_no_truncate" in names
        assert "guard_charting_addendum_no_truncate" in names
