"""The staff home's open red flags are read through the partial index of open flags, not by
scanning every flag the clinic has handled."""

import pytest

from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.selectors import patients_with_open_red_flags
from tests.factories import make_patient
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db


def test_open_flags_are_read_through_the_open_flags_index(django_assert_num_queries):
    patient = make_patient()
    RedFlagFinding.objects.create(
        patient=patient,
        rule_id="r1",
        title="Night pain",
        severity="urgent",
        explanation="x",
        source="intake",
    )

    with django_assert_num_queries(1) as queries:
        [entry] = patients_with_open_red_flags()

    assert entry.patient == patient
    plan = query_plan(queries.captured_queries[0]["sql"], None)
    assert "red_flag_open_raised" in plan
