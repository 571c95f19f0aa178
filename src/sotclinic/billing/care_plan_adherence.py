"""How patients keep to their care plans, counted in SQL: visits done (appointment completed, or
seen: a visit recorded for it), missed (no-show or cancelled late), remaining, booked ahead,
expected by today, and the next re-exam due; and the worklist of plans falling behind."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment

from .models import CarePlan, PlannedVisit

S = Appointment.Status
DONE = Q(visits__appointment__status=S.COMPLETED) | Q(
    visits__appointment__status__in=[S.BOOKED, S.ARRIVED],
    visits__appointment__visit__isnull=False,
)
MISSED = Q(visits__appointment__status=S.NO_SHOW) | Q(
    visits__appointment__status=S.CANCELLED, visits__appointment__cancelled_late=True
)
# How many visits behind the plan's expected pace puts a patient on the worklist.
BEHIND_THRESHOLD = 2


def with_adherence(plans: QuerySet[CarePlan], now: dt.datetime | None = None) -> QuerySet:
    """``plans`` annotated with done, missed, upcoming (booked, not yet seen, still ahead),
    due (visits expected by today) and remaining (planned − done − missed visits not
    replaced): one query. A replacement visit counts as done when it is done."""
    now = now or timezone.now()
    upcoming = Q(
        visits__appointment__status=S.BOOKED,
        visits__appointment__start__gte=now,
        visits__appointment__visit__isnull=True,
    )
    # A missed visit stays missed; one with a replacement no longer takes a visit from the
    # plan, as its replacement counts (done, or still to do) in its place.
    replaced = MISSED & Q(visits__replacement__isnull=False)
    due = Q(visits__expected_on__lte=now.date(), visits__replaces__isnull=True)
    return plans.annotate(
        done=Count("visits", filter=DONE),
        missed=Count("visits", filter=MISSED),
        replaced=Count("visits", filter=replaced),
        upcoming=Count("visits", filter=upcoming),
        due=Count("visits", filter=due),
    ).annotate(remaining=F("planned_visits") - F("done") - F("missed") + F("replaced"))


@dataclass(frozen=True)
class Adherence:
    planned: int
    done: int
    missed: int
    remaining: int
    upcoming: int
    due: int
    next_reexam: PlannedVisit | None
    next_reexam_on: dt.date | None

    @property
    def behind(self) -> int:
        """Visits fewer than expected by today (0 when on pace or ahead)."""
        return max(0, self.due - self.done)


def plan_adherence(plan: CarePlan, now: dt.datetime | None = None) -> Adherence:
    """The plan's counts and its next re-exam not yet done or missed (two queries)."""
    now = now or timezone.now()
    counted = with_adherence(CarePlan.objects.filter(pk=plan.pk), now).get()
    return _adherence(counted, _next_reexams([plan.pk]).get(plan.pk))


def _adherence(counted: CarePlan, reexam: PlannedVisit | None) -> Adherence:
    when = None
    if reexam is not None:
        appointment = reexam.appointment
        if appointment is not None and appointment.status == S.BOOKED:
            when = appointment.start.date()
        else:
            when = reexam.expected_on
    return Adherence(
        planned=counted.planned_visits,
        done=counted.done,
        missed=counted.missed,
        remaining=counted.remaining,
        upcoming=counted.upcoming,
        due=counted.due,
        next_reexam=reexam,
        next_reexam_on=when,
    )


def _next_reexams(plan_ids) -> dict[int, PlannedVisit]:
    """Per plan, its first re-exam visit neither done nor missed (one query)."""
    pending = (
        PlannedVisit.objects.filter(plan_id__in=plan_ids, is_reexam=True)
        .exclude(appointment__status__in=[S.COMPLETED, S.NO_SHOW])
        .exclude(appointment__visit__isnull=False, appointment__status__in=[S.BOOKED, S.ARRIVED])
        .exclude(appointment__status=S.CANCELLED, appointment__cancelled_late=True)
        .select_related("appointment")
        .order_by("plan_id", "sequence")
    )
    first: dict[int, PlannedVisit] = {}
    for visit in pending:
        first.setdefault(visit.plan_id, visit)
    return first


@dataclass(frozen=True)
class PlanProgress:
    plan: CarePlan
    adherence: Adherence


def patient_plans(patient: Patient, now: dt.datetime | None = None) -> list[PlanProgress]:
    """The patient's plans, newest first, each with its adherence (two queries)."""
    plans = list(
        with_adherence(CarePlan.objects.filter(patient=patient), now).select_related(
            "prescribed_by"
        )
    )
    reexams = _next_reexams([p.pk for p in plans])
    return [PlanProgress(p, _adherence(p, reexams.get(p.pk))) for p in plans]


def plans_falling_behind(
    now: dt.datetime | None = None, threshold: int = BEHIND_THRESHOLD
) -> list[PlanProgress]:
    """Accepted and active plans whose patient is ``threshold`` or more visits behind the
    plan's pace, or has visits remaining and none booked ahead; most behind first (two
    queries, however many plans)."""
    plans = list(
        with_adherence(CarePlan.objects.filter(status__in=CarePlan.FOLLOWED_STATUSES), now)
        .annotate(behind=F("due") - F("done"))
        .filter(Q(behind__gte=threshold) | Q(remaining__gt=0, upcoming=0))
        .select_related("patient", "prescribed_by")
        .order_by("-behind", "patient__last_name", "id")
    )
    reexams = _next_reexams([p.pk for p in plans])
    return [PlanProgress(p, _adherence(p, reexams.get(p.pk))) for p in plans]
