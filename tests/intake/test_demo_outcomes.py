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
