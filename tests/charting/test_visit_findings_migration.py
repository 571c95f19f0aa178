"""Migration 0007 adds ``Visit.has_findings`` in place, so the triggers that guard a signed
note's visit survive it on SQLite (where ``AddField`` would rebuild the table without them),
and sets the flag of every visit whose exam has a suggestion, signed or not."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sotclinic.charting.models import Visit
from tests.factories import (
    exam_state,
    make_location,
    make_practitioner,
    make_visit,
    save_note,
    sign_visit,
)

BEFORE = ("charting", "0006_clinic_diagnosis_codes")
CAT_II_LEFT = exam_state(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left"))


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _migrate_all() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _visit_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid = 'charting_visit'::regclass"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'charting_visit'"
            )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def visits_before_the_flag(transactional_db):
    """A draft with findings, a draft without, and a signed visit with findings, in a database
    at 0006 (going back drops the column, so the flags are the migration's own)."""
    doctor = make_practitioner(make_location())
    draft_with, draft_without, signed_with = (
        make_visit(doctor),
        make_visit(doctor),
        make_visit(doctor),
    )
    save_note(draft_with, exam_state=CAT_II_LEFT)
    save_note(draft_without, complaints="Stiff neck")
    sign_visit(signed_with, exam_state=CAT_II_LEFT)
    _migrate([BEFORE])
    yield draft_with, draft_without, signed_with
    _migrate_all()


def test_the_migration_keeps_every_trigger_of_the_visit_table(visits_before_the_flag):
    before = _visit_triggers()

    _migrate_all()

    assert _visit_triggers() == before
    assert any(name.startswith("guard_charting_visit_signed") for name in before)


def test_the_migration_flags_the_visits_whose_exam_has_findings(visits_before_the_flag):
    draft_with, draft_without, signed_with = visits_before_the_flag

    _migrate_all()

    flags = dict(Visit.objects.values_list("pk", "has_findings"))
    assert flags == {draft_with.pk: True, draft_without.pk: False, signed_with.pk: True}
