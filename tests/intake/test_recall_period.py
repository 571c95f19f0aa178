"""NPRS recall period: chosen by the clinic, worded for the patient, stored with the answer,
shown to staff beside the score, and never mixed into another period's series."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.instruments import get_instrument
from sotclinic.intake.models import FollowUpRequest, QuestionnaireResponse, QuestionnaireSettings
from sotclinic.intake.services import follow_up_token, intake_token
from sotclinic.outcomes.selectors import patient_trends
from tests.factories import (
    intake_sections,
    make_complete_intake,
    make_follow_up_response,
    make_intake,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2025, 3, 3, 10))


def _clinic_asks(period):
    settings = QuestionnaireSettings.load()
    settings.nprs_recall_period = period
    settings.save()


def _url(intake, step):
    return reverse("intake:step", args=[intake_token(intake), step])


def _fill_up_to_questionnaires(client, intake):
    data = intake_sections(complaints=("neck",))
    client.post(_url(intake, "about"), data["about"])
    client.post(_url(intake, "history"), data["history"])
    client.post(
        _url(intake, "complaints"),
        {"complaints": ["neck"], "neck_onset": "under_6_weeks", "neck_severity": "5"},
    )
    client.post(_url(intake, "red_flags"), data["red_flags"])


def test_the_pain_question_is_worded_for_the_clinics_period_and_the_answer_keeps_it(client):
    _clinic_asks("7d")
    intake = make_intake()
    _fill_up_to_questionnaires(client, intake)

    page = client.get(_url(intake, "questionnaires")).content.decode()
    client.post(
        _url(intake, "questionnaires"),
        {"nprs__recall_period": "7d", "nprs__nprs_pain": "4"},
    )
    client.post(_url(intake, "consent"), {"consent": "on"})

    assert "average pain over the last week" in page
    assert "24 hours" not in page
    response = QuestionnaireResponse.objects.get(intake=intake, instrument_id="nprs")
    assert (response.recall_period, response.score) == ("7d", 4.0)


def test_the_period_the_patient_read_is_stored_even_if_the_setting_changes_meanwhile(client):
    _clinic_asks("24h")
    intake = make_intake()
    _fill_up_to_questionnaires(client, intake)
    page = client.get(_url(intake, "questionnaires")).content.decode()
    _clinic_asks("7d")

    client.post(
        _url(intake, "questionnaires"),
        {"nprs__recall_period": "24h", "nprs__nprs_pain": "6"},
    )
    client.post(_url(intake, "consent"), {"consent": "on"})

    assert "over the last 24 hours" in page
    response = QuestionnaireResponse.objects.get(intake=intake, instrument_id="nprs")
    assert response.recall_period == "24h"


def test_a_follow_up_asks_and_stores_the_clinics_period(client):
    intake = make_complete_intake(make_patient(), complaints=("neck",))
    _clinic_asks("7d")
    request = FollowUpRequest.objects.create(
        patient=intake.patient, baseline_intake=intake, sequence=1
    )
    url = reverse("intake:follow_up", args=[follow_up_token(request)])

    page = client.get(url).content.decode()
    client.post(
        url, {"nprs__recall_period": "7d", "nprs__nprs_pain": "3", "grc15__grc_change": "2"}
    )

    assert "average pain over the last week" in page
    response = QuestionnaireResponse.objects.get(follow_up=request, instrument_id="nprs")
    assert response.recall_period == "7d"


def test_an_answer_saved_without_a_period_takes_the_wording_its_version_asked():
    # A draft saved before the period was selectable: NPRS v1, which asked about 24 hours.
    intake = make_complete_intake(make_patient(), complaints=("neck",))
    v1 = get_instrument("nprs", 1)

    from sotclinic.intake.services import scored_response

    response = scored_response(v1, {"nprs_pain": 5}, patient=intake.patient, context="baseline")

    assert response.recall_period == "24h"


def test_a_period_the_instrument_does_not_offer_is_refused():
    from sotclinic.intake.instruments import ScoringError
    from sotclinic.intake.services import scored_response

    with pytest.raises(ScoringError, match="recall period"):
        scored_response(get_instrument("nprs"), {"nprs_pain": 5}, recall_period="30d")


def test_trends_show_each_period_as_its_own_series_and_never_compare_across_them():
    patient = make_patient()
    make_complete_intake(patient, completed_at=START, complaints=("neck",), nprs=8)
    make_follow_up_response(patient, "nprs", 6, START + dt.timedelta(weeks=4))
    # The clinic switched to one week: a 2 here is not a 6-point change from the 8 above.
    make_follow_up_response(
        patient, "nprs", 2, START + dt.timedelta(weeks=8), sequence=2, recall_period="7d"
    )

    trends = {t.slug: t for t in patient_trends(patient) if t.instrument.id == "nprs"}

    assert set(trends) == {"nprs-24h", "nprs-7d"}
    assert [p.response.score for p in trends["nprs-24h"].points] == [8.0, 6.0]
    assert [p.improvement for p in trends["nprs-24h"].points] == [None, 2.0]
    assert [p.response.score for p in trends["nprs-7d"].points] == [2.0]
    assert [p.improvement for p in trends["nprs-7d"].points] == [None]
    assert trends["nprs-7d"].title.endswith("asked about the last week")


def test_staff_see_the_period_beside_each_score_and_a_chart_per_period(client):
    patient = make_patient()
    make_complete_intake(patient, completed_at=START, complaints=("neck",), nprs=8)
    make_follow_up_response(patient, "nprs", 2, START + dt.timedelta(weeks=8), recall_period="7d")
    client.force_login(make_user(Role.PRACTITIONER))

    page = client.get(reverse("outcomes:patient", args=[patient.pk])).content.decode()
    week_chart = client.get(reverse("outcomes:chart", args=[patient.pk, "nprs-7d"]))
    day_chart = client.get(reverse("outcomes:chart", args=[patient.pk, "nprs-24h"]))

    assert "asked about the last week" in page
    assert "asked about the last 24 hours" in page
    assert "<td>last week</td>" in page and "<td>last 24 hours</td>" in page
    assert week_chart.status_code == day_chart.status_code == 200
    assert week_chart["Content-Type"] == "image/svg+xml"
