"""Reads of the chart: the visit timeline, the pain trend, the to-do list, day-list links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from sotclinic.sot import INDICATORS

from .models import Note, Visit


@dataclass
class TimelineRow:
    visit: Visit
    category: str
    side: str
    category_is_suggestion: bool
    cleared: list[str]
    pain: int | None
    region_count: int
    addenda: int


def chart_timeline(patient_id: int) -> list[TimelineRow]:
    """Every visit of the patient, newest first, in one query whatever their number."""
    visits = (
        Visit.objects.filter(patient_id=patient_id)
        .select_related("practitioner", "note", "note__exam", "note__procedures")
        .defer("note__exam__state", "note__exam__suggestion", "practitioner__bio")
        .annotate(addenda_count=Count("note__addenda"))
        .order_by("-started_at", "-id")
    )
    rows = []
    for visit in visits:
        note = visit.note
        exam, procedures = note.exam, note.procedures
        chosen = bool(exam.confirmed_category)
        rows.append(
            TimelineRow(
                visit=visit,
                category=exam.confirmed_category if chosen else exam.suggested_category,
                side=exam.confirmed_side if chosen else exam.suggested_side,
                category_is_suggestion=not chosen and bool(exam.suggested_category),
                cleared=[INDICATORS[c].label for c in exam.cleared_indicators if c in INDICATORS],
                pain=note.pain_score,
                region_count=len(procedures.adjustment_regions),
                addenda=visit.addenda_count,
            )
        )
    return rows


@dataclass
class Sparkline:
    points: str
    dots: list[tuple[float, float, int, dt.datetime]]
    width: int
    height: int
    first: int
    last: int


def pain_sparkline(rows: list[TimelineRow], width: int = 240, height: int = 48) -> Sparkline | None:
    """An inline SVG line of the pain ratings, oldest left; None with fewer than two."""
    series = [(r.visit.started_at, r.pain) for r in reversed(rows) if r.pain is not None]
    if len(series) < 2:
        return None
    pad = 4
    step = (width - 2 * pad) / (len(series) - 1)
    dots = []
    for i, (when, pain) in enumerate(series):
        x = round(pad + i * step, 1)
        y = round(pad + (10 - pain) * (height - 2 * pad) / 10, 1)
        dots.append((x, y, pain, when))
    points = " ".join(f"{x},{y}" for x, y, _, _ in dots)
    return Sparkline(points, dots, width, height, series[0][1], series[-1][1])


def unsigned_notes_due(practitioner=None, now: dt.datetime | None = None):
    """Draft notes of visits that started more than a day ago: the signing to-do list."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=1)
    notes = Note.objects.filter(signed_at__isnull=True, visit__started_at__lt=cutoff)
    if practitioner is not None:
        notes = notes.filter(visit__practitioner=practitioner)
    return notes.select_related("visit__patient", "visit__practitioner").order_by(
        "visit__started_at"
    )


def attach_visits(appointments: Iterable) -> None:
    """Set ``chart_visit`` (the visit or None) on each appointment of a day list: one query."""
    appointments = list(appointments)
    visits = Visit.objects.filter(appointment__in=[a.pk for a in appointments]).select_related(
        "note"
    )
    by_appointment = {v.appointment_id: v for v in visits}
    for appointment in appointments:
        appointment.chart_visit = by_appointment.get(appointment.pk)


def describe_suggestion(suggestion: dict | None) -> dict | None:
    """The stored engine result with indicator labels and diagram positions, for templates."""
    if not suggestion:
        return None
    reasons = [
        {**r, "label": INDICATORS[r["code"]].label if r["code"] in INDICATORS else "Leg length"}
        for r in suggestion.get("reasons", [])
    ]
    protocol = suggestion.get("protocol")
    blocks = []
    if protocol:
        supine = protocol["position"] == "supine"
        for block in protocol["blocks"]:
            # Seen from above: prone, the patient's left is the viewer's left; supine, the right.
            on_left = (block["side"] == "left") != supine
            low = any(word in block["landmark"] for word in ("acetabulum", "trochanter"))
            blocks.append({**block, "x": 70 if on_left else 130, "y": 98 if low else 62})
        protocol = {
            **protocol,
            "blocks": blocks,
            "recheck_labels": [
                INDICATORS[c].label if c in INDICATORS else c for c in protocol["recheck"]
            ],
        }
    return {**suggestion, "reasons": reasons, "protocol": protocol}


def visit_time_zone(visit: Visit) -> str:
    """The clinic time zone the visit is shown in: its appointment's location, else UTC."""
    if visit.appointment_id:
        return visit.appointment.location.time_zone
    location = visit.practitioner.locations.order_by("name").first()
    return location.time_zone if location else "UTC"
