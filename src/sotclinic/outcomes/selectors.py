"""Reads for outcome pages: one patient's scores over time and the practice's responder rates;
and who is due a follow-up questionnaire."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Lookup
from django.utils import timezone

from sotclinic.charting.models import Visit
from sotclinic.intake.instruments import (
    Instrument,
    UnknownInstrument,
    change,
    current_instruments,
    get_instrument,
)
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
    median_change: float | None = None

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

    def describe(self) -> str:
        """The filters as the access log records them ("complaint=neck from=2025-01-01")."""
        parts = [
            f"complaint={self.complaint}" if self.complaint else "",
            f"practitioner={self.practitioner_id}" if self.practitioner_id else "",
            f"from={self.start.isoformat()}" if self.start else "",
            f"to={self.end.isoformat()}" if self.end else "",
        ]
        return " ".join(p for p in parts if p) or "all patients"


class _HasElement(Lookup):
    """``json_list ∋ value``: the JSON list holds the string as one of its elements.

    PostgreSQL's ``?`` tests top-level array elements of a jsonb value; SQLite has no JSON
    containment operator, so its ``json_each`` lists the elements.
    """

    lookup_name = "has_element"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # The left side is the column's compiled SQL, never user input; the value is a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, [*lhs_params, self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} ? %s)", [*lhs_params, self.rhs]


def _filtered_intakes(filters: DashboardFilters):
    """The complete intakes that pass the filters, in no particular order (the model's default
    ordering would sort every intake for nothing inside the dashboard's query)."""
    intakes = Intake.objects.filter(status=Intake.Status.COMPLETE).order_by()
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
    if filters.complaint:
        intakes = intakes.filter(_HasElement(F("complaints"), filters.complaint))
    return intakes


# Each patient's latest complete intake that passes the filters is the baseline; its baseline
# response to an instrument is compared with the patient's latest follow-up to the same
# instrument, asked over the same recall period, administered after it. Per instrument the
# database counts those pairs and the ones improved by at least the MCID, and returns only the
# rows holding the middle one or two improvements (the median) — a few rows and one query,
# whatever the number of patients.
#
# The latest follow-up of a patient, instrument and period is the latest follow-up after the
# baseline exactly when it comes after it at all (administered_at, then id, breaking ties),
# and otherwise no follow-up does. How it is found depends on the database's joins:
# - PostgreSQL ranks every follow-up once and hash-joins the first of each series to the
#   baselines (at 10x the data, 80,000 index look-ups cost it two to three times as much);
# - SQLite joins only by nested loops, so a ranked set would be read once per row or indexed
#   on the fly; there each baseline finds its series' latest follow-up by one seek in
#   qr_latest (patient, instrument, period, context, then newest first), a third of the time.
# The improvements are counted by value before they are ordered: scores take few values, so
# the median is found among a few dozen (value, count) rows with their running totals, not by
# sorting every pair. "position <= 1" rather than "= 1": PostgreSQL estimates an equality on
# a window's result at 0.5 % of the rows, and planned nested loops and sorts for the 200
# intakes it expected out of 40,000.
_BASELINES_SQL = """
WITH ranked_intakes AS (
    SELECT i.id,
           ROW_NUMBER() OVER (
               PARTITION BY i.patient_id ORDER BY i.completed_at DESC, i.id DESC
           ) AS position
    FROM ({intakes}) AS i
),
baselines AS (
    SELECT b.id, b.patient_id, b.instrument_id, b.recall_period, b.administered_at, b.score
    FROM {responses} AS b
    JOIN ranked_intakes AS c ON c.id = b.intake_id AND c.position <= 1
    WHERE b.context = 'baseline' AND b.instrument_id IN ({instrument_ids})
),
"""

_PAIRS_BY_RANKING_SQL = """
latest_follow_ups AS (
    SELECT f.id, f.patient_id, f.instrument_id, f.recall_period, f.administered_at, f.score
    FROM (
        SELECT f.id, f.patient_id, f.instrument_id, f.recall_period, f.administered_at,
               f.score,
               ROW_NUMBER() OVER (
                   PARTITION BY f.patient_id, f.instrument_id, f.recall_period
                   ORDER BY f.administered_at DESC, f.id DESC
               ) AS position
        FROM {responses} AS f
        WHERE f.context = 'follow_up'
    ) AS f
    WHERE f.position <= 1
),
pairs AS (
    SELECT b.id, b.instrument_id, b.administered_at, b.score,
           f.id AS follow_up_id, f.administered_at AS follow_up_at, f.score AS follow_up_score
    FROM baselines AS b
    JOIN latest_follow_ups AS f
      ON f.patient_id = b.patient_id
     AND f.instrument_id = b.instrument_id
     AND f.recall_period = b.recall_period
),
"""

_PAIRS_BY_SEEK_SQL = """
with_latest AS (
    SELECT b.id, b.instrument_id, b.administered_at, b.score,
           (SELECT f.id FROM {responses} AS f
            WHERE f.patient_id = b.patient_id
              AND f.instrument_id = b.instrument_id
              AND f.recall_period = b.recall_period
              AND f.context = 'follow_up'
            ORDER BY f.administered_at DESC, f.id DESC
            LIMIT 1) AS follow_up_id
    FROM baselines AS b
),
pairs AS (
    SELECT b.id, b.instrument_id, b.administered_at, b.score,
           f.id AS follow_up_id, f.administered_at AS follow_up_at, f.score AS follow_up_score
    FROM with_latest AS b
    JOIN {responses} AS f ON f.id = b.follow_up_id
),
"""

_MEDIAN_SQL = """
changes AS (
    SELECT instrument_id,
           CASE WHEN instrument_id IN ({worse_ids})
                THEN score - follow_up_score
                ELSE follow_up_score - score END AS improvement
    FROM pairs
    WHERE follow_up_at > administered_at
       OR (follow_up_at = administered_at AND follow_up_id > id)
),
counted AS (
    SELECT instrument_id, improvement, CAST(COUNT(*) AS INTEGER) AS n
    FROM changes
    GROUP BY instrument_id, improvement
),
cumulative AS (
    SELECT instrument_id, improvement, n,
           SUM(n) OVER (
               PARTITION BY instrument_id ORDER BY improvement ROWS UNBOUNDED PRECEDING
           ) AS up_to,
           SUM(n) OVER (PARTITION BY instrument_id) AS patients,
           SUM(CASE {reached_cases} ELSE 0 END) OVER (PARTITION BY instrument_id) AS reached
    FROM counted
)
SELECT instrument_id, improvement, up_to - n, up_to, patients, reached
FROM cumulative
WHERE up_to >= (patients + 1) / 2 AND up_to - n < patients / 2 + 1
ORDER BY instrument_id, improvement
"""

_DASHBOARD_ORDER = {"rmdq": 0, "nprs": 1, "grc15": 2}


def _dashboard_query(filters: DashboardFilters) -> tuple[str, list]:
    instruments = current_instruments()
    intakes_sql, intakes_params = (
        _filtered_intakes(filters)
        .values("id", "patient_id", "completed_at")
        .query.sql_with_params()
    )
    worse = [i.id for i in instruments if i.direction == "higher_is_worse"]
    with_mcid = [i for i in instruments if i.mcid.applicable and i.mcid.points is not None]
    # "WHEN FALSE" keeps the CASE valid when no instrument has an MCID in points.
    reached_cases = (
        " ".join("WHEN instrument_id = %s AND improvement >= %s THEN n" for _ in with_mcid)
        or "WHEN 1 = 0 THEN n"
    )
    pairs = _PAIRS_BY_SEEK_SQL if connection.vendor == "sqlite" else _PAIRS_BY_RANKING_SQL
    sql = (_BASELINES_SQL + pairs + _MEDIAN_SQL).format(
        intakes=intakes_sql,
        responses=connection.ops.quote_name(QuestionnaireResponse._meta.db_table),
        instrument_ids=", ".join(["%s"] * len(instruments)),
        worse_ids=", ".join(["%s"] * len(worse)) or "NULL",
        reached_cases=reached_cases,
    )
    params = [
        *intakes_params,
        *(i.id for i in instruments),
        *worse,
        *(value for i in with_mcid for value in (i.id, float(i.mcid.points))),
    ]
    return sql, params


def dashboard(filters: DashboardFilters) -> list[InstrumentSummary]:
    """Per instrument: patients with a baseline and a follow-up, how many improved by at least
    the MCID (baseline to latest follow-up), the Wilson 95 % interval and the median change.

    One query, computed by the database: the number of queries and of rows read back does not
    grow with the number of patients.
    """
    sql, params = _dashboard_query(filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    middles: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, tuple[int, int]] = {}
    # Each row is one improvement value holding positions before+1 … up_to of its instrument's
    # improvements in order; it counts once for each middle position it holds.
    for instrument_id, improvement, before, up_to, patients, reached in rows:
        patients = int(patients)
        for position in range((patients + 1) // 2, patients // 2 + 2):
            if before < position <= up_to:
                middles[instrument_id].append(float(improvement))
        counts[instrument_id] = (patients, int(reached or 0))
    summaries = [
        InstrumentSummary(
            get_instrument(instrument_id),
            patients=patients,
            reached=reached,
            median_change=median(middles[instrument_id]),
        )
        for instrument_id, (patients, reached) in counts.items()
    ]
    return sorted(
        summaries, key=lambda s: (_DASHBOARD_ORDER.get(s.instrument.id, 9), s.instrument.id)
    )


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
