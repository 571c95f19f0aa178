"""A follow-up answer is linked to the patient's visit on the same local day, if any."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from sotclinic.charting.models import Visit
from sotclinic.intake.instruments import get_instrument
from sotclinic.intake.models import FollowUpRequest, QuestionnaireResponse
from sotclinic.intake.services import submit_follow_up
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
)

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
BASELINE = timezone.make_aware(dt.datetime(2025, 2, 3, 10), dt.UTC)


def _request(patient):
    baseline = make_complete_intake(patient, completed_at=BASELINE)
    return FollowUpRequest.objects.create(patient=patient, baseline_intake=baseline, sequence=1)


def _answer(request, when):
    nprs = get_instrument("nprs")
    section = {"nprs": {"version": nprs.version, "answers": {nprs.items[0].id: 3}}}
    submit_follow_up(request.pk, section, now=when)
    return QuestionnaireResponse.objects.get(follow_up=request)


def _visit_at(patient, when, location=None):
    if location is None:
        return make_visit(patient=patient, started_at=when)
    practitioner = make_practitioner(location)
    visit = make_visit(appointment=make_appointment(practitioner, when, patient=patient))
    Visit.objects.filter(pk=visit.pk).update(started_at=when)
    return Visit.objects.get(pk=visit.pk)


def test_answer_given_on_the_day_of_a_visit_is_linked_to_it():
    patient = make_patient()
    request = _request(patient)
    visit = _visit_at(patient, dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC))

    response = _answer(request, dt.datetime(2025, 3, 3, 9, 40, tzinfo=dt.UTC))

    assert response.visit == visit


def test_answer_given_before_the_visit_later_that_day_is_linked_to_it():
    patient = make_patient()
    request = _request(patient)
    visit = _visit_at(patient, dt.datetime(2025, 3, 3, 15, 0, tzinfo=dt.UTC))

    response = _answer(request, dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC))

    assert response.visit == visit


def test_the_latest_visit_started_by_then_wins_over_an_earlier_or_later_one():
    patient = make_patient()
    request = _request(patient)
    _visit_at(patient, dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC))
    latest = _visit_at(patient, dt.datetime(2025, 3, 3, 11, 0, tzinfo=dt.UTC))
    _visit_at(patient, dt.datetime(2025, 3, 3, 16, 0, tzinfo=dt.UTC))

    response = _answer(request, dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC))

    assert response.visit == latest


def test_answer_on_another_day_stays_unlinked():
    patient = make_patient()
    request = _request(patient)
    _visit_at(patient, dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC))

    response = _answer(request, dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.UTC))

    assert response.visit is None


def test_another_patients_visit_is_never_linked():
    patient = make_patient()
    request = _request(patient)
    _visit_at(make_patient(), dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC))

    response = _answer(request, dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC))

    assert response.visit is None


def test_the_day_is_the_clinics_local_day_not_the_utc_day():
    patient = make_patient()
    request = _request(patient)
    clinic = make_location(time_zone="America/Los_Angeles")
    # 10:00 in Los Angeles on 3 March; the answer at 19:00 there is already 4 March in UTC.
    visit = _visit_at(patient, dt.datetime(2025, 3, 3, 10, 0, tzinfo=LA), clinic)

    response = _answer(request, dt.datetime(2025, 3, 3, 19, 0, tzinfo=LA))

    assert response.visit == visit
