"""Booking a care plan counts each phase's weeks from the day it begins: a plan of N visits a
week for W weeks books N × W visits whatever weekday it starts on."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.billing import care_plans
from sotclinic.billing.models import CarePlan
from sotclinic.scheduling.series import weeks_from_starts
from tests.billing.plan_setup import CORRECTIVE, plan_clinic
from tests.billing.test_care_plans import prescribe, signed

pytestmark = pytest.mark.django_db

WEEKDAYS = [[0, 2, 4], [1, 3]]  # three a week, then two a week


@pytest.fixture
def clinic():
    return plan_clinic()


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.mark.parametrize("weekday", range(7))
def test_a_plan_books_every_planned_visit_whatever_its_first_weekday(clinic, weekday):
    first_day = next_monday() + dt.timedelta(days=weekday)
    plan = signed(clinic, prescribe(clinic, start_date=first_day))
    starts = care_plans.plan_starts(plan, first_day=first_day, time=dt.time(9), weekdays=WEEKDAYS)
    assert len(starts) == 12 == plan.planned_visits
    tz = clinic.location.tz
    days = [s.astimezone(tz).date() for s in starts]
    assert days == sorted(days) and days[0] >= first_day
    # Phase 1 fills its first two weeks from the start, phase 2 the three weeks after.
    phase2_day = first_day + dt.timedelta(weeks=2)
    assert [d.weekday() in (0, 2, 4) for d in days[:6]] == [True] * 6
    assert all(first_day <= d < phase2_day for d in days[:6])
    assert all(phase2_day <= d < phase2_day + dt.timedelta(weeks=3) for d in days[6:])
    booked = care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts, by=clinic.desk
    )
    plan.refresh_from_db()
    assert len(booked) == 12 and care_plans.open_visits(plan) == []
    assert plan.status == CarePlan.Status.ACTIVE


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize(("per_week", "weeks"), [(1, 1), (2, 4), (3, 2), (7, 1)])
def test_n_weekdays_for_w_weeks_from_any_day_are_n_times_w_starts(weekday, per_week, weeks):
    first_day = dt.date(2026, 3, 23) + dt.timedelta(days=weekday)  # across a change of clocks
    tz = dt.UTC
    starts = weeks_from_starts(first_day, dt.time(9), list(range(per_week)), weeks, tz)
    assert len(starts) == per_week * weeks
    assert all(first_day <= s.date() < first_day + dt.timedelta(weeks=weeks) for s in starts)


def test_the_phases_of_a_plan_follow_one_another_without_a_gap_or_overlap(clinic):
    wednesday = next_monday() + dt.timedelta(days=2)
    plan = signed(clinic, prescribe(clinic, start_date=wednesday, phases=CORRECTIVE))
    starts = care_plans.plan_starts(plan, first_day=wednesday, time=dt.time(9), weekdays=WEEKDAYS)
    days = [s.astimezone(clinic.location.tz).date() for s in starts]
    assert days[0] == wednesday
    assert days[5] < wednesday + dt.timedelta(weeks=2) <= days[6]
