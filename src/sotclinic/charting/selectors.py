"""Reads of the chart: the visit timeline, the pain trend, the to-do list, day-list links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from sotclinic.compiled_queries import CompiledQuery
from sotclinic.data_text import shown
from sotclinic.exam.screen import (
    cmrt_old_words,
    cmrt_words,
    leg_check_words,
    rc_words,
    reason_words,
)
from sotclinic.exam.screening import screening_words
from sotclinic.exam.state import cmrt_rows_of
from sotclinic.exam.words import ANATOMICAL_STATUS_WORDS
from sotclinic.scheduling.models import Appointment
from sotclinic.sot import INDICATORS

from .models import Addendum, Note, Visit


@dataclass
class TimelineRow:
    visit_id: int
    started_at: dt.datetime
    practitioner: str
    signed: bool
    category: str
    side: str
    category_is_suggestion: bool
    cleared: list[str]
    pain: int | None
    region_count: int
    addenda: int


TIMELINE_PAGE = 25


@dataclass
class ChartOverview:
    total: int
    unsigned: int
    pain_series: list[int]  # oldest first, visits without a rating left out


# The chart's two queries are compiled once per process (`CompiledQuery`): building and
# compiling them, with their joins, cost more than running them.
_OVERVIEW = CompiledQuery(
    lambda patient_id: (
        Visit.objects.filter(patient_id=patient_id)
        .order_by("started_at", "id")
        .annotate(unsigned=Q(note__signed_at__isnull=True))
        .values_list("note__pain_score", "unsigned")
    )
)


def chart_overview(patient_id: int) -> ChartOverview:
    """Counts and the pain series over all of the patient's visits, in one light query."""
    rows = _OVERVIEW.rows(patient_id)
    return ChartOverview(
        total=len(rows),
        unsigned=sum(1 for _, unsigned in rows if unsigned),
        pain_series=[pain for pain, _ in rows if pain is not None],
    )


def _addenda_count():
    # A correlated COUNT(*), evaluated for the rows of the page only; a Count() over the join
    # would group every visit of the patient before the LIMIT. A plain Func, not the Count
    # aggregate, so the subquery has no GROUP BY and counts 0 when there is no addendum.
    counts = (
        Addendum.objects.filter(note_id=OuterRef("note__id"))
        .order_by()
        .annotate(n=Func(function="COUNT", template="%(function)s(*)", output_field=IntegerField()))
        .values("n")
    )
    return Subquery(counts, output_field=IntegerField())


def _timeline_query(patient_id: int, start: int, stop: int):
    return (
        Visit.objects.filter(patient_id=patient_id)
        .annotate(signed=Q(note__signed_at__isnull=False), addenda_count=_addenda_count())
        .order_by("-started_at", "-id")
        .values_list(
            "pk",
            "started_at",
            "practitioner__display_name",
            "signed",
            "note__pain_score",
            "note__exam__suggested_category",
            "note__exam__suggested_side",
            "note__exam__confirmed_category",
            "note__exam__confirmed_side",
            "note__exam__cleared_indicators",
            "note__procedures__adjustment_regions",
            "addenda_count",
        )[start:stop]
    )


_TIMELINE = CompiledQuery(_timeline_query)


def chart_timeline(patient_id: int, page: int = 1, per_page: int = TIMELINE_PAGE) -> list:
    """One page of the patient's visits, newest first, in one query whatever their number."""
    start = (max(page, 1) - 1) * per_page
    values = _TIMELINE.rows(patient_id, start=start, stop=start + per_page)
    rows = []
    for (
        pk,
        started_at,
        practitioner,
        signed,
        pain,
        suggested_category,
        suggested_side,
        confirmed_category,
        confirmed_side,
        cleared,
        regions,
        addenda,
    ) in values:
        chosen = bool(confirmed_category)
        rows.append(
            TimelineRow(
                visit_id=pk,
                started_at=started_at,
                practitioner=practitioner,
                signed=bool(signed),
                category=confirmed_category if chosen else suggested_category,
                side=confirmed_side if chosen else suggested_side,
                category_is_suggestion=not chosen and bool(suggested_category),
                cleared=[INDICATORS[c].label for c in cleared or () if c in INDICATORS],
                pain=pain,
                region_count=len(regions or ()),
                addenda=addenda,
            )
        )
    return rows


@dataclass
class Sparkline:
    points: str
    width: int
    height: int
    first: int
    last: int
    count: int
    last_x: float
    last_y: float


def pain_sparkline(series: list[int], width: int = 240, height: int = 48) -> Sparkline | None:
    """An inline SVG line of the pain ratings, oldest left; None with fewer than two."""
    if len(series) < 2:
        return None
    pad = 4
    step = (width - 2 * pad) / (len(series) - 1)
    scale = (height - 2 * pad) / 10
    heights = {p: round(pad + (10 - p) * scale, 1) for p in set(series)}  # 11 at most
    coords = [(round(pad + i * step, 1), heights[p]) for i, p in enumerate(series)]
    points = " ".join([f"{x},{y}" for x, y in coords])
    return Sparkline(points, width, height, series[0], series[-1], len(series), *coords[-1])


def unsigned_notes_due(practitioner=None, now: dt.datetime | None = None):
    """Draft notes of visits that started more than a day ago: the signing to-do list."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=1)
    notes = Note.objects.filter(signed_at__isnull=True, visit__started_at__lt=cutoff)
    if practitioner is not None:
        notes = notes.filter(visit__practitioner=practitioner)
    return notes.select_related("visit__patient", "visit__practitioner").order_by(
        "visit__started_at"
    )


@cache
def day_visit_columns() -> Mapping[str, Any]:
    """What a day list shows of each appointment's visit, as expressions over a query of
    appointments (``scheduling.selectors.day_schedule(also=...)``), so one query reads both:

    - ``chart_visit_id``: the appointment's visit, or None;
    - ``chart_visit_signed``: its note is signed (a visit may have no note yet);
    - ``chart_has_earlier_findings``: for an appointment without a visit yet (the one that
      may start a visit), a visit of the patient that started before the appointment
      recorded exam findings, so they can be copied forward; False once it has a visit.

    The earlier visit is one probe of the partial index ``visit_patient_findings`` (the
    patient's visits with findings, by start; ``Visit.has_findings``), whatever the number of
    the patient's earlier visits without findings, instead of reading each earlier visit's note
    and exam; it is asked only for the appointments without a visit.
    """
    earlier = Visit.objects.with_findings().filter(
        patient_id=OuterRef("patient_id"), started_at__lt=OuterRef("start")
    )
    # The same mapping on every call: `day_schedule` puts its query together once per mapping.
    return MappingProxyType(
        {
            "chart_visit_id": F("visit__pk"),
            "chart_visit_signed": ExpressionWrapper(
                Q(visit__note__signed_at__isnull=False), output_field=BooleanField()
            ),
            "chart_has_earlier_findings": Case(
                When(visit__isnull=True, then=Exists(earlier)), default=Value(False)
            ),
        }
    )


def describe_suggestion(suggestion: dict | None, state: dict | None = None) -> dict | None:
    """The stored engine result with reasons and re-check indicators in words, for templates.

    ``state`` is the exam state the suggestion was made from; it lets a leg-check reason name
    the check it used. Version-1 and version-2 results read alike.
    """
    if not suggestion:
        return None
    findings = (state or {}).get("findings")
    reasons = [
        {
            **r,
            "label": INDICATORS[r["code"]].label
            if r["code"] in INDICATORS
            else reason_words(r, findings),
            "is_note": r["code"] not in INDICATORS,
        }
        for r in suggestion.get("reasons", [])
    ]
    protocol = suggestion.get("protocol")
    if protocol:
        protocol = {
            **protocol,
            "recheck_labels": [
                shown(INDICATORS[c].label) if c in INDICATORS else c for c in protocol["recheck"]
            ],
        }
    return {**suggestion, "reasons": reasons, "protocol": protocol}


def exam_rows(state: dict | None) -> list[dict]:
    """One row per indicator with its recorded side and re-check result, for a signed note."""
    state = state or {}
    findings = state.get("findings") or {}
    sides = {i["code"]: i["side"] for i in findings.get("indicators", [])}
    recheck = state.get("recheck") or {}
    return [
        {
            "label": indicator.label,
            "category": indicator.category,
            "side": sides.get(code, ""),
            "recheck": recheck.get(code, ""),
        }
        for code, indicator in INDICATORS.items()
    ]


def describe_exam_record(state: dict | None) -> dict:
    """What a note shows of the exam beyond the indicators, in words, from either state shape.

    A signed note's stored state is never rewritten, so this reads the old single prone check and
    the old CMRT layout as well as the current ones.
    """
    state = state or {}
    findings = state.get("findings") or {}
    leg = findings.get("leg_length")
    cmrt, cmrt_old = cmrt_rows_of(state)
    flag = findings.get("anatomical_short_leg")
    if flag:
        status = flag.get("status")
        flag = {**flag, "status_words": ANATOMICAL_STATUS_WORDS.get(status, status)}
    return {
        "leg_checks": [leg_check_words(c) for c in findings.get("leg_checks") or []],
        "leg_length": leg,
        "anatomical": flag,
        "cmrt": [cmrt_words(row) for row in cmrt],
        "cmrt_old": [cmrt_old_words(row) for row in cmrt_old],
        "rc_factors": [rc_words(row) for row in state.get("rc_factors") or []],
        "screening": screening_words(state.get("screening") or {}),
    }


def visit_time_zone(visit: Visit) -> str:
    """The clinic time zone the visit is shown in: its appointment's location, else UTC."""
    if visit.appointment_id:
        return visit.appointment.location.time_zone
    location = visit.practitioner.locations.order_by("name").first()
    return location.time_zone if location else "UTC"


def visit_on_same_day(patient_id: int, when: dt.datetime):
    """The patient's visit on the local day of ``when``, to link a follow-up answer to
    (intake's ``submit_follow_up`` asks through ``intake.selectors.visit_on_same_day``).

    The day is the clinic's local day: the visit's appointment location's time zone, or the
    default time zone for a walk-in. The visit the patient had most recently by then wins;
    failing that, the first one later that day. None if the patient had no visit that day.
    """
    candidates = (
        Visit.objects.filter(
            patient_id=patient_id,
            started_at__gte=when - dt.timedelta(days=2),
            started_at__lte=when + dt.timedelta(days=2),
        )
        .select_related("appointment__location")
        .order_by("started_at", "id")
    )
    same_day = []
    for visit in candidates:
        tz = visit.appointment.location.tz if visit.appointment else timezone.get_default_timezone()
        if visit.started_at.astimezone(tz).date() == when.astimezone(tz).date():
            same_day.append(visit)
    before = [v for v in same_day if v.started_at <= when]
    if before:
        return before[-1]
    return same_day[0] if same_day else None


# --- The worklist ("nothing falls through") ---------------------------------------------------

WORKLIST_ROWS = 100


def completed_without_visit(practitioner_id: int | None = None, limit: int = WORKLIST_ROWS):
    """Appointments marked completed that have no visit record, oldest first (only the
    practitioner's, when given). One query; no clinical content."""
    found = Appointment.objects.filter(status=Appointment.Status.COMPLETED, visit__isnull=True)
    if practitioner_id is not None:
        found = found.filter(practitioner_id=practitioner_id)
    return list(
        found.select_related("patient", "practitioner", "location", "appointment_type").order_by(
            "start", "pk"
        )[:limit]
    )


def draft_notes(practitioner_id: int | None = None, limit: int = WORKLIST_ROWS):
    """Notes not signed, of any age, the oldest visit first (only the practitioner's, when
    given): the visit and patient, never the note's content. One query."""
    notes = Note.objects.filter(signed_at__isnull=True)
    if practitioner_id is not None:
        notes = notes.filter(visit__practitioner_id=practitioner_id)
    return list(
        notes.select_related("visit__patient", "visit__practitioner")
        .only(
            "id",
            "updated_at",
            "visit__id",
            "visit__started_at",
            "visit__patient__first_name",
            "visit__patient__last_name",
            "visit__practitioner__display_name",
        )
        .order_by("visit__started_at", "pk")[:limit]
    )


def visit_records():
    """Every visit with its note, SOT exam record and appointment, oldest first (the rows the
    FHIR Encounter, Condition and Observation resources are read from)."""
    return Visit.objects.select_related(
        "note", "note__exam", "appointment", "appointment__location", "practitioner"
    ).order_by("id")
