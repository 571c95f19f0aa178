"""Answers stored before the recall period was recorded migrate with the period they were
asked with: every NPRS answer of that time was NPRS v1, worded "over the last 24 hours"."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("intake", "0001_initial")]
AFTER = [("intake", "0002_recall_period_and_questionnaire_settings")]


@pytest.mark.django_db(transaction=True)
def test_existing_nprs_answers_become_24_hour_answers_and_others_keep_no_period():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    patient = old.get_model("patients", "Patient").objects.create(
        first_name="Old", last_name="Answer", date_of_birth="1970-01-01"
    )
    response = old.get_model("intake", "QuestionnaireResponse")
    for instrument_id, score in (("nprs", 6.0), ("rmdq", 9.0)):
        response.objects.create(
            patient=patient,
            instrument_id=instrument_id,
            instrument_version=1,
            answers={},
            score=score,
            administered_at=timezone.now(),
            context="baseline",
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    periods = dict(
        new.get_model("intake", "QuestionnaireResponse").objects.values_list(
            "instrument_id", "recall_period"
        )
    )

    assert periods == {"nprs": "24h", "rmdq": ""}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
