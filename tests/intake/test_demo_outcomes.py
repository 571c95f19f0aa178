import io

import pytest
from django.core.management import call_command

from sotclinic.intake.models import Intake, QuestionnaireResponse, RedFlagFinding

pytestmark = pytest.mark.django_db


def test_demo_has_intakes_scores_and_one_open_red_flag():
    call_command("demo", stdout=io.StringIO())

    assert Intake.objects.filter(status="complete").count() >= 4
    contexts = set(
        QuestionnaireResponse.objects.filter(instrument_id="rmdq").values_list("context", flat=True)
    )
    assert contexts == {"baseline", "follow_up"}
    assert RedFlagFinding.objects.filter(handled_at__isnull=True).count() == 1


def test_each_demo_patients_pain_scores_form_one_series_from_its_baseline():
    from sotclinic.outcomes.selectors import patient_trends
    from sotclinic.patients.models import Patient

    call_command("demo", stdout=io.StringIO())
    followed = Patient.objects.filter(
        questionnaire_responses__instrument_id="nprs",
        questionnaire_responses__context=QuestionnaireResponse.Context.FOLLOW_UP,
    ).distinct()

    assert followed.exists()
    for patient in followed:
        series = [t for t in patient_trends(patient) if t.instrument.id == "nprs"]
        assert [t.slug for t in series] == ["nprs-24h"]
        assert series[0].points[-1].improvement is not None
