"""The day list's "earlier findings" look-up walks each patient's visits through the
``visit_patient_started`` index instead of joining every note of the practice."""

import pytest
from django.db import connection

from sotclinic.charting.selectors import first_findings_query
from tests.factories import make_location, make_patient, make_practitioner, make_visit_history

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a few rows a scan is cheaper; the test asks whether the index serves.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_first_findings_are_read_through_the_patient_visit_index():
    doctor = make_practitioner(make_location())
    patient, newcomer = make_patient(), make_patient()
    visits = make_visit_history(doctor, patient, 3)
    query = first_findings_query([patient.pk, newcomer.pk])

    assert dict(query.values_list("pk", "first")) == {
        patient.pk: visits[0].started_at,
        newcomer.pk: None,
    }
    plan = _plan(query.values_list("pk", "first"))
    assert "visit_patient_started" in plan
    assert "SCAN charting_note" not in plan and "Seq Scan on charting_note" not in plan
