"""A draft care plan can be changed (phases, goals, fees); a proposed plan goes back to draft
first, and a signed plan never changes (its document, hash and PDF stay)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sotclinic import signatures
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import care_plans
from sotclinic.billing.care_plans import CarePlanError, CarePlanForbidden, GoalRequest
from sotclinic.billing.models import CarePlan, Fee, FeeSchedule, Service
from tests.billing.plan_setup import plan_clinic
from tests.billing.test_care_plan_pages import plan_post
from tests.billing.test_care_plans import prescribe, signed

pytestmark = pytest.mark.django_db

SHORTER = [{"visits_per_week": 2, "weeks": 2}]


@pytest.fixture
def clinic():
    return plan_clinic()


def revise(clinic, plan, **extra):
    values = {
        "by": clinic.practitioner.user,
        "practitioner": clinic.practitioner,
        "location": clinic.location,
        "appointment_type": clinic.kind,
        "phases": SHORTER,
        "reexam_visits": [4],
        "start_date": plan.start_date,
        "services": [clinic.service],
        "name": "Shorter",
        "goals": [GoalRequest("nprs", Decimal("2"))],
    }
    return care_plans.revise_draft(plan, **{**values, **extra})


def test_a_draft_gets_new_phases_visits_goals_and_fee_estimate(clinic):
    plan = prescribe(clinic, goals=[GoalRequest("nprs", Decimal("3"))])
    exam = Service.objects.create(name="Exam", code="EX")
    schedule = FeeSchedule.objects.get()
    Fee.objects.create(schedule=schedule, service=exam, amount=1000)
    plan = revise(clinic, plan, services=[clinic.service, exam])
    plan.refresh_from_db()
    assert (plan.name, plan.phases, plan.planned_visits) == ("Shorter", SHORTER, 4)
    assert (plan.visit_fee, plan.fee_estimate) == (5500, 22000)
    assert list(plan.visits.values_list("sequence", "is_reexam")) == [
        (1, False),
        (2, False),
        (3, False),
        (4, True),
    ]
    assert [(g.instrument_id, g.target) for g in plan.goals.all()] == [("nprs", 2)]
    assert "Phase 1: 2 visits a week for 2 weeks" in care_plans.plan_document(plan)


def test_a_refused_change_leaves_the_draft_as_it_was(clinic):
    plan = prescribe(clinic)
    with pytest.raises(CarePlanError, match="beyond the plan"):
        revise(clinic, plan, reexam_visits=[30])
    with pytest.raises(CarePlanForbidden):
        revise(clinic, plan, by=clinic.desk)
    plan.refresh_from_db()
    assert (plan.name, plan.planned_visits, plan.visits.count()) == ("Corrective", 12, 12)


def test_a_proposed_or_signed_plan_is_not_changed(clinic):
    plan = prescribe(clinic)
    care_plans.propose_plan(plan, by=clinic.practitioner.user)
    with pytest.raises(CarePlanError, match="Only a draft plan"):
        revise(clinic, plan)
    care_plans.return_to_draft(plan, by=clinic.practitioner.user)
    plan = revise(clinic, plan)  # back to draft, it changes
    plan = signed(clinic, plan)
    digest, pdf = plan.signature.document_sha256, bytes(plan.signature.pdf)
    with pytest.raises(CarePlanError, match="accepted"):
        revise(clinic, plan, name="Changed after signing")
    plan.refresh_from_db()
    assert plan.name == "Shorter" and plan.planned_visits == 4
    assert plan.signature.document_sha256 == digest and bytes(plan.signature.pdf) == pdf
    assert signatures.document_sha256(care_plans.plan_document(plan)) == digest


def test_a_practitioner_changes_a_draft_on_its_page(client, clinic):
    plan = prescribe(clinic, goals=[GoalRequest("nprs", Decimal("3"))])
    url = reverse("care_plans:edit", args=[plan.pk])
    client.force_login(clinic.desk)
    assert client.get(url).status_code == 403
    client.force_login(clinic.practitioner.user)
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert url in page
    form = client.get(url)
    assert form.status_code == 200 and 'value="Corrective"' in form.content.decode()
    start = plan.start_date.isoformat()
    bad = client.post(url, plan_post(clinic, start_date=start, reexam_visits="40"))
    assert bad.status_code == 422 and "beyond the plan" in bad.content.decode()
    unnamed = client.post(url, plan_post(clinic, start_date=start, name=""))
    assert unnamed.status_code == 422
    data = plan_post(
        clinic,
        name="Two weeks",
        start_date=start,
        phase1_per_week="1",
        phase1_weeks="2",
        phase2_per_week="",
        phase2_weeks="",
        reexam_visits="",
    )
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.planned_visits, plan.visits.count()) == ("Two weeks", 2, 2)
    assert AccessLog.objects.filter(action=Action.CHANGE_CARE_PLAN, patient=plan.patient).exists()
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.PROPOSED)
    refused = client.get(url)
    assert refused.status_code == 302 and refused.url == reverse(
        "care_plans:detail", args=[plan.pk]
    )
