"""Stored version-1 CMRT rows: drafts migrate to the version-2 layout, signed notes stay as signed,
and both render in words."""

import copy

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sotclinic.charting.models import ExamRecord
from tests.factories import (
    exam_state,
    make_location,
    make_practitioner,
    make_visit,
    save_note,
    sign_visit,
)

MAPPABLE = {"line": 2, "position": 4, "side": "left", "level": "T5", "area": "stomach"}
BILATERAL = {"line": 1, "position": 2, "side": "bilateral", "level": None, "area": None}
V1_STATE = exam_state(("arm_fossa_test", "left"), cmrt=[MAPPABLE, BILATERAL])
BEFORE = ("charting", "0004_replace_truncate_and_visit_guards")
AFTER = ("charting", "0005_cmrt_version_2_layout")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def _migrate_all() -> None:
    """Forward through AFTER to every app's latest migration: going back to BEFORE also took
    back the apps that depend on charting (billing), which later pages and signals use."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def v1_database(transactional_db):
    """A draft and a signed note, each holding version-1 CMRT rows, in a database at 0004."""
    doctor = make_practitioner(make_location())
    draft = make_visit(doctor)
    save_note(draft, exam_state=copy.deepcopy(V1_STATE))
    signed = make_visit(doctor)
    sign_visit(signed, exam_state=copy.deepcopy(V1_STATE))
    _migrate(BEFORE)
    yield doctor, draft, signed
    _migrate_all()


def test_migration_maps_draft_rows_and_keeps_what_cannot_map(v1_database):
    _, draft, _ = v1_database

    _migrate_all()

    state = ExamRecord.objects.get(note__visit=draft).state
    assert state["cmrt"] == [
        {
            "line": 2,
            "area": 4,
            "side": "left",
            "vertebral_level": "T5",
            "reflex_area": "stomach",
            "trapezius_confirmed": None,
        }
    ]
    assert state["cmrt_old"] == [BILATERAL]


def test_migration_leaves_a_signed_exam_exactly_as_signed(v1_database):
    _, _, signed = v1_database
    before = ExamRecord.objects.get(note__visit=signed).state

    _migrate_all()

    assert ExamRecord.objects.get(note__visit=signed).state == before
    assert before["cmrt"] == [MAPPABLE, BILATERAL]


@pytest.mark.parametrize("which", ["draft", "signed"])
def test_migrated_and_signed_version_one_rows_render_in_words(v1_database, client, which):
    doctor, draft, signed = v1_database
    _migrate_all()
    visit = draft if which == "draft" else signed
    client.force_login(doctor.user)

    html = client.get(f"/staff/visits/{visit.pk}/").content.decode()

    assert "Line 2: reflex arc, area 4, left: T5 → stomach; trapezius not checked" in html
    assert "side bilateral" in html
    assert "(recorded under the old layout)" in html
