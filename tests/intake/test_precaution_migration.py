"""An intake completed before the precautions tier keeps its "pregnant: yes" as a precaution."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_patient

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0001_initial")]
AFTER = [("intake", "0004_backfill_pregnancy_precaution")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_an_old_pregnant_yes_becomes_a_pregnancy_precaution_with_weeks_unknown():
    pregnant, not_pregnant = make_patient(), make_patient()
    old = _migrate(BEFORE)
    Intake = old.get_model("intake", "Intake")
    for patient, answer in ((pregnant, "yes"), (not_pregnant, "no")):
        Intake.objects.create(
            patient_id=patient.pk,
            status="complete",
            completed_at=timezone.now(),
            consent_to_care=True,
            health_history={"pregnant": answer},
        )

    new = _migrate(AFTER)

    records = new.get_model("intake", "PrecautionRecord").objects.all()
    assert [(r.patient_id, r.code, r.weeks, r.present) for r in records] == [
        (pregnant.pk, "pregnancy", None, True)
    ]
