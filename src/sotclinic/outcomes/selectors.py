"""Reads for outcome pages: one patient's scores over time and the practice's responder rates;
and who is due a follow-up questionnaire."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from sotclinic.charting.models import Visit
from sotclinic.intake.instruments import Instrument, UnknownInstrument, change, get_instrument
from sotclinic.intake.models import (
    FollowUpRequest,
    FollowUpSchedule,
    Intake,
    QuestionnaireResponse,
)
from sotclinic.patients.models import Patient

from .statistics import median, wilson_interval

SMALL_SAMPLE = 30


@dataclass(frozen=True)
class TrendPoint:
    response: QuestionnaireResponse
    improvement: float | None
    reached_mcid: bool | None


@dataclass(frozen=True)
class Trend:
    """One series: one instrument asked over one recall period.

    Answers about the last 24 hours and about the last week are different questions, so each
    period is its own series with its own baseline, never one line.
    """

    instrument: Instrument
    points: tuple[TrendPoint, ...]
    recall_period: str = ""
    recall_label: str = ""

    @property
    def slug(self) -> str:
        """Identifies the series in a URL: the instrument id, plus the period if it has one."""
        return (
            f"{self.instrument.id}-{self.recall_period}"
            if self.recall_period
            else self.instrument.id
        )

    @property
    def title(self) -> str:
        if self.recall_label:
            return f"{self.instrument.title}, asked about the {self.recall_label}"
        return self.instrument.title

    @property
    def baseline(self) -> QuestionnaireResponse | None:
        return next((p.response for p in self.points if p.response.context == "baseline"), None)


def patient_trends(patient) -> list[Trend]:
    """Each instrument and recall period the patient answered, its scores in time order, and
    the change from the baseline of the same period."""
    by_series: dict[tuple[str, str], list[QuestionnaireResponse]] = defaultdict(list)
    for response in QuestionnaireResponse.objects.filter(patient=patient).order_by(
        "administered_at", "id"
    ):
        by_series[(response.instrument_id, response.recall_period)].append(response)
    trends = []
    for (instrument_id, recall_period), responses in by_series.items():
        try:
            instrument = get_instrument(instrument_id)
        except UnknownInstrument:
            continue
        # A series without a baseline of its own (the clinic changed the period during care)
        # shows its scores but no change: a change is never computed across periods.
        baseline = next((r for r in responses if r.context == "baseline"), None)
        points = []
        for response in responses:
            improvement = reached = None
            if baseline is not None and response is not baseline:
                result = change(instrument, baseline.score, response.score)
                improvement, reached = result.improvement, result.improved_by_mcid_points
            points.append(TrendPoint(response, improvement, reached))
        label = responses[-1].recall_label if recall_period else ""
        trends.append(Trend(instrument, tuple(points), recall_period, label))
    return trends


@dataclass
class InstrumentSummary:
    instrument: Instrument
    patients: int = 0
    reached: int = 0
    changes: list[float] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.reached / self.patients if self.patients else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.reached, self.patients)

    @property
    def interval_percent(self) -> tuple[float, float] | None:
        interval = self.interval
        return (interval[0] * 100, interval[1] * 100) if interval else None

    @property
    def share_percent(self) -> float | None:
        return self.share * 100 if self.share is not None else None

    @property
    def median_change(self) -> float | None:
        return median(self.changes)

    @property
    def small_sample(self) -> bool:
        return self.patients < SMALL_SAMPLE

    @property
    def has_mcid(self) -> bool:
        return self.instrument.mcid.applicable and self.instrument.mcid.points is not None


@dataclass(frozen=True)
class DashboardFilters:
    complaint: str | None = None
    practitioner_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def _baseline_intakes(filters: DashboardFilters) -> dict[int, Intake]:
    """Each patient's latest complete intake that passes the filters."""
    intakes = Intake.objects.filter(status=Intake.Status.COMPLETE).order_by("completed_at")
    if filters.start:
        intakes = intakes.filter(completed_at__date__gte=filters.start)
    if filters.end:
        intakes = intakes.filter(completed_at__date__lte=filters.end)
    if filters.practitioner_id:
        from sotclinic.scheduling.models import Appointment

        seen = Appointment.objects.filter(practitioner_id=filters.practitioner_id).values(
            "patient_id"
        )
        intakes = intakes.filter(patient_id__in=seen)
    chosen: dict[int, Intake] = {}
    for intake in intakes:
        # JSON list membership in Python: SQLite has no JSON "contains" lookup.
        if filters.complaint and filters.complaint not in intake.complaints:
            continue
        chosen[intake.patient_id] = intake
    return chosen


def dashboard(filters: DashboardFilters) -> tuple[list[InstrumentSummary], list[int]]:
    """Per instrument: patients with a baseline and a follow-up, how many improved by at least
    the MCID (baseline to latest follow-up), the Wilson 95 % interval and the median change.

    Returns the summaries and the ids of the patients whose data was read (for the audit log).
    """
    intakes = _baseline_intakes(filters)
    responses = QuestionnaireResponse.objects.filter(patient_id__in=list(intakes)).order_by(
        "administered_at", "id"
    )
    baseline: dict[tuple[int, str], QuestionnaireResponse] = {}
    latest: dict[tuple[int, str], QuestionnaireResponse] = {}
    for response in responses:
        key = (response.patient_id, response.instrument_id)
        if response.context == "baseline" and response.intake_id == intakes[key[0]].pk:
            baseline[key] = response
        elif (
            response.context == "follow_up"
            and key in baseline
            # A follow-up asked over another recall period is another question.
            and response.recall_period == baseline[key].recall_period
        ):
            latest[key] = response
    summaries: dict[str, InstrumentSummary] = {}
    for key, follow in latest.items():
        instrument = get_instrument(key[1])
        summary = summaries.setdefault(instrument.id, InstrumentSummary(instrument))
        result = change(instrument, baseline[key].score, follow.score)
        summary.patients += 1
        summary.reached += bool(result.improved_by_mcid_points)
        summary.changes.append(result.improvement)
    order = {"rmdq": 0, "nprs": 1, "grc15": 2}
    ordered = sorted(
        summaries.values(), key=lambda s: (order.get(s.instrument.id, 9), s.instrument.id)
    )
    return ordered, sorted(intakes)


# Who is due a follow-up questionnaire ------------------------------------------------------


@dataclass(frozen=True)
class FollowUpDue:
    patient: Patient
    baseline: Intake
    sequence: int


def follow_ups_due(
    now: dt.datetime | None = None, schedule: FollowUpSchedule | None = None
) -> list[FollowUpDue]:
    """Patients due their next follow-up questionnaire under the clinic's schedule.

    Step n is due n × N weeks after the baseline intake, or once n × N visits have started
    since it. Only the patient's latest complete intake counts as baseline. The follow-up due
    is the latest step reached, not every step missed: a patient who fell behind (follow-ups
    switched on late, a pause in sending) gets one message, not a burst of them. Nor does one
    go out sooner than half an interval (weeks, or visits) after the previous one.
    """
    now = now or timezone.now()
    schedule = schedule or FollowUpSchedule.load()
    if not schedule.enabled:
        return []
    baselines: dict[int, Intake] = {}
    for intake in (
        Intake.objects.filter(status=Intake.Status.COMPLETE)
        .select_related("patient")
        .order_by("completed_at")
    ):
        baselines[intake.patient_id] = intake
    latest: dict[int, FollowUpRequest] = {}
    for request in FollowUpRequest.objects.order_by("sequence"):
        latest[request.patient_id] = request
    weekly = schedule.unit == FollowUpSchedule.Unit.WEEKS
    due = []
    for patient_id, baseline in baselines.items():
        previous = latest.get(patient_id)
        last_step = previous.sequence if previous is not None else 0
        if weekly:
            step = int((now - baseline.completed_at) / dt.timedelta(weeks=schedule.every))
            too_soon = previous is not None and now - _sent(previous) < dt.timedelta(
                weeks=schedule.every / 2
            )
        else:
            step = _visits_since(patient_id, baseline.completed_at, now) // schedule.every
            too_soon = previous is not None and _visits_since(
                patient_id, _sent(previous), now
            ) < max(1, schedule.every // 2)
        if step > last_step and not too_soon:
            due.append(FollowUpDue(baseline.patient, baseline, step))
    return due


def _sent(request: FollowUpRequest) -> dt.datetime:
    return request.sent_at or request.created_at


def _visits_since(patient_id: int, since: dt.datetime, now: dt.datetime) -> int:
    return Visit.objects.filter(
        patient_id=patient_id, started_at__gte=since, started_at__lte=now
    ).count()
