"""A missed planned visit (no-show or cancelled late) can be replaced: front desk books a new
visit that counts toward the plan, and the missed one stays missed."""

import datetime as dt

import pytest
from django.urls import reverse

from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import care_plans
from sotclinic.billing.care_plan_adherence import plan_adherence
from sotclinic.billing.care_plans import CarePlanError
from sotclinic.billing.models import PlannedVisit
from sotclinic.scheduling.models import Appointment
from tests.billing.plan_setup import plan_clinic
from tests.billing.test_care_plan_pages import _book_all
from tests.billing.test_care_plans import prescribe, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return plan_clinic()


def _after(booked, days=1) -> dt.datetime:
    """A free start a few days after the plan's last visit, at 15:00."""
    return (booked[-1].start + dt.timedelta(days=days)).replace(hour=15, minute=0)


def test_a_replacement_counts_toward_the_plan_and_the_missed_visit_stays_missed(clinic):
    plan = signed(clinic, prescribe(clinic, reexam_visits=[4]))
    document = care_plans.plan_document(plan)
    booked = _book_all(clinic, plan)
    Appointment.objects.filter(pk=booked[3].pk).update(status="no_show")
    assert [v.sequence for v in care_plans.replaceable_visits(plan)] == [4]
    before = plan_adherence(plan)
    assert (before.done, before.missed, before.remaining) == (0, 1, 11)

    missed = plan.visits.get(sequence=4)
    replacement = care_plans.book_replacement_visit(
        missed, practitioner=clinic.practitioner, start=_after(booked), by=clinic.desk
    )
    assert (replacement.sequence, replacement.replaces, replacement.is_reexam) == (13, missed, True)
    missed.refresh_from_db()
    assert missed.appointment.status == "no_show"
    after = plan_adherence(plan)
    assert (after.done, after.missed, after.remaining, after.due) == (0, 1, 12, before.due)
    assert after.next_reexam == replacement  # the re-exam missed is now the replacement
    assert care_plans.replaceable_visits(plan) == []
    # The document the patient signed does not change.
    assert care_plans.plan_document(plan) == document == plan.signature.document_text

    Appointment.objects.filter(pk=replacement.appointment_id).update(status="completed")
    done = plan_adherence(plan)
    assert (done.done, done.missed, done.remaining) == (1, 1, 11)


def test_a_late_cancellation_is_replaced_but_a_kept_or_replaced_visit_is_not(clinic):
    plan = signed(clinic)
    booked = _book_all(clinic, plan)
    Appointment.objects.filter(pk=booked[0].pk).update(status="cancelled", cancelled_late=True)
    first, second = plan.visits.get(sequence=1), plan.visits.get(sequence=2)
    with pytest.raises(CarePlanError, match="Only a missed visit"):
        care_plans.book_replacement_visit(
            second, practitioner=clinic.practitioner, start=_after(booked), by=clinic.desk
        )
    care_plans.book_replacement_visit(
        first, practitioner=clinic.practitioner, start=_after(booked), by=clinic.desk
    )
    with pytest.raises(CarePlanError, match="Only a missed visit"):
        care_plans.book_replacement_visit(
            first, practitioner=clinic.practitioner, start=_after(booked, 2), by=clinic.desk
        )
    assert PlannedVisit.objects.filter(plan=plan).count() == 13


def test_a_cancelled_plan_books_no_replacement(clinic):
    plan = signed(clinic)
    booked = _book_all(clinic, plan)
    Appointment.objects.filter(pk=booked[0].pk).update(status="no_show")
    care_plans.cancel_plan(plan, by=clinic.practitioner.user)
    with pytest.raises(CarePlanError, match="accepted"):
        care_plans.book_replacement_visit(
            plan.visits.get(sequence=1),
            practitioner=clinic.practitioner,
            start=_after(booked),
            by=clinic.desk,
        )


def test_front_desk_books_a_replacement_from_the_plan_page(client, clinic):
    plan = signed(clinic)
    booked = _book_all(clinic, plan)
    Appointment.objects.filter(pk=booked[1].pk).update(status="no_show")
    missed = plan.visits.get(sequence=2)
    client.force_login(clinic.desk)
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    url = reverse("care_plans:replace_visit", args=[plan.pk, missed.pk])
    assert url in page and "Book a replacement" in page
    assert client.get(url).status_code == 200
    local = _after(booked).astimezone(clinic.location.tz)
    bad = client.post(url, {"practitioner": clinic.practitioner.pk, "day": "", "time": "15:00"})
    assert bad.status_code == 422
    taken = client.post(
        url,
        {
            "practitioner": clinic.practitioner.pk,
            "day": booked[0].start.astimezone(clinic.location.tz).date().isoformat(),
            "time": booked[0].start.astimezone(clinic.location.tz).strftime("%H:%M"),
        },
    )
    assert taken.status_code in (409, 422) and not missed_replaced(missed)
    response = client.post(
        url,
        {
            "practitioner": clinic.practitioner.pk,
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    assert missed_replaced(missed)
    assert AccessLog.objects.filter(
        action=Action.BOOK_CARE_PLAN, detail__contains="replaces 2"
    ).exists()
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert "replaces visit 2" in page and url not in page
    # The replaced visit cannot be replaced again; the page says why.
    again = client.post(
        url,
        {
            "practitioner": clinic.practitioner.pk,
            "day": local.date().isoformat(),
            "time": "17:00",
        },
    )
    assert again.status_code == 422 and "Only a missed visit" in again.content.decode()


def missed_replaced(missed) -> bool:
    return PlannedVisit.objects.filter(replaces=missed).exists()
