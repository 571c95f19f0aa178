import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.outcomes.selectors import DashboardFilters, dashboard
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_follow_up_response,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2025, 3, 3, 10))


def _patient_with_scores(rmdq=(12, 4), nprs=(7, 3), complaints=("low_back",), start=START):
    patient = make_patient()
    make_complete_intake(
        patient, completed_at=start, complaints=complaints, rmdq_ticks=rmdq[0], nprs=nprs[0]
    )
    later = start + dt.timedelta(weeks=4)
    if "low_back" in complaints:
        make_follow_up_response(patient, "rmdq", rmdq[1], later)
    make_follow_up_response(patient, "nprs", nprs[1], later)
    return patient


def test_practitioner_sees_the_patients_scores_and_chart(client):
    patient = _patient_with_scores()
    client.force_login(make_user(Role.PRACTITIONER))

    page = client.get(reverse("outcomes:patient", args=[patient.pk]))
    chart = client.get(reverse("outcomes:chart", args=[patient.pk, "rmdq"]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Roland-Morris" in text and ">12<" in text and ">4<" in text
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert b"<svg" in chart.content
    actions = list(AccessLog.objects.filter(patient=patient).values_list("action", flat=True))
    assert actions.count(Action.VIEW_OUTCOMES) == 2


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PATIENT])
def test_non_practitioners_may_not_open_clinical_outcome_pages(client, role):
    patient = _patient_with_scores()
    client.force_login(make_user(role))

    for url in (
        reverse("outcomes:patient", args=[patient.pk]),
        reverse("outcomes:chart", args=[patient.pk, "rmdq"]),
        reverse("outcomes:dashboard"),
        reverse("outcomes:dashboard_csv"),
        reverse("intake:red_flags", args=[patient.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_chart_for_unanswered_questionnaire_is_404(client):
    patient = _patient_with_scores()
    client.force_login(make_user(Role.PRACTITIONER))

    assert client.get(reverse("outcomes:chart", args=[patient.pk, "grc15"])).status_code == 404


def test_dashboard_counts_patients_reaching_the_mcid():
    _patient_with_scores(rmdq=(12, 4))  # 8 points better: reached (MCID 5)
    _patient_with_scores(rmdq=(12, 10))  # 2 points: not reached
    make_complete_intake(make_patient())  # baseline only: not counted

    summaries = dashboard(DashboardFilters())

    rmdq = next(s for s in summaries if s.instrument.id == "rmdq")
    assert (rmdq.patients, rmdq.reached, rmdq.median_change) == (2, 1, 5.0)
    assert rmdq.small_sample
    assert rmdq.interval == pytest.approx((0.0945, 0.9055), abs=1e-4)


def test_dashboard_filters_by_complaint_period_and_practitioner():
    doctor = make_practitioner(make_location())
    back = _patient_with_scores(complaints=("low_back",))
    _patient_with_scores(complaints=("neck",), start=START + dt.timedelta(days=60))
    make_appointment(doctor, START, patient=back)

    def nprs_count(**filters):
        summaries = dashboard(DashboardFilters(**filters))
        return next((s.patients for s in summaries if s.instrument.id == "nprs"), 0)

    assert nprs_count() == 2
    assert nprs_count(complaint="neck") == 1
    assert nprs_count(start=(START + dt.timedelta(days=30)).date()) == 1
    assert nprs_count(end=START.date()) == 1
    assert nprs_count(practitioner_id=doctor.pk) == 1


def test_dashboard_page_labels_small_samples_and_says_figures_are_observational(client):
    _patient_with_scores()
    client.force_login(make_user(Role.PRACTITIONER))

    text = client.get(reverse("outcomes:dashboard")).content.decode()

    assert "observational and uncontrolled" in text
    assert "Small sample" in text and "interpret with caution" in text


def test_dashboard_csv_export_has_one_row_per_instrument(client):
    _patient_with_scores(rmdq=(12, 4))
    _patient_with_scores(rmdq=(12, 10), complaints=("low_back",))
    client.force_login(make_user(Role.PRACTITIONER))

    response = client.get(reverse("outcomes:dashboard_csv"), {"complaint": "low_back"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    rmdq = next(r for r in rows if r["instrument"] == "rmdq")
    assert rmdq["patients_with_baseline_and_follow_up"] == "2"
    assert rmdq["reached_mcid"] == "1" and rmdq["complaint"] == "low_back"
    assert rmdq["small_sample"] == "yes"
    # One row for the export, naming its filters; none per patient counted.
    [entry] = AccessLog.objects.filter(action=Action.EXPORT_OUTCOMES)
    assert entry.patient_id is None
    assert entry.detail == "outcomes dashboard: complaint=low_back"
