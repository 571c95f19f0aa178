"""Reads for the SOT exam: the protocol table in force, its history, and the analysis with it."""

import hashlib
import json
import logging
from typing import Any

from django.db.models import QuerySet

from sotclinic.sot import (
    Analysis,
    FindingsError,
    ProtocolTable,
    ProtocolTableError,
    analyze,
    default_protocol_table,
    validate_area_levels,
    validate_findings,
)

from .models import CmrtAreaLevels, ProtocolTableOverride

logger = logging.getLogger(__name__)


def latest_protocol_override() -> ProtocolTableOverride | None:
    """The newest saved version (which may be a reset to defaults), or None if never edited."""
    return (
        ProtocolTableOverride.objects.select_related("updated_by")
        .order_by("-updated_at", "-id")
        .first()
    )


def current_protocol_table() -> ProtocolTable:
    """The clinic's table in force: its latest saved version, else the shipped default."""
    latest = latest_protocol_override()
    if latest is None or latest.table is None:
        return default_protocol_table()
    try:
        return ProtocolTable.from_dict(latest.table)
    except ProtocolTableError:
        # Only reachable if the engine's rules tightened after the table was saved; the
        # settings page shows the problem so a practitioner can fix it.
        logger.warning("Stored protocol table %s is no longer valid; using defaults", latest.pk)
        return default_protocol_table()


def analyze_exam_findings(
    findings: dict[str, Any], protocol_table: ProtocolTable | None = None
) -> Analysis:
    """The engine's analysis of an exam's findings with the clinic's protocol table in force.

    The one place an exam is analysed: the live panel, a saved draft and signing all call it, so
    the suggestion stored with a note is the one the practitioner saw. Raises ``FindingsError``
    for findings the engine cannot read.
    """
    table = protocol_table if protocol_table is not None else current_protocol_table()
    return analyze(validate_findings(findings), table)


def suggestion_fingerprint(suggestion: dict[str, Any] | None) -> str:
    """A short digest of an analysis body, so a page can say which suggestion it showed."""
    if suggestion is None:
        return ""
    body = json.dumps(suggestion, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def protocol_table_history(limit: int = 20) -> QuerySet[ProtocolTableOverride]:
    """The most recent versions, newest first, with who saved them."""
    return ProtocolTableOverride.objects.select_related("updated_by").order_by(
        "-updated_at", "-id"
    )[:limit]


def latest_cmrt_area_levels() -> CmrtAreaLevels | None:
    """The newest saved CMRT levels version, or None if the clinic never filled them in."""
    return (
        CmrtAreaLevels.objects.select_related("updated_by").order_by("-updated_at", "-id").first()
    )


def current_cmrt_area_levels() -> dict[int, str]:
    """The clinic's CMRT area → vertebral level table in force (empty: none filled in)."""
    latest = latest_cmrt_area_levels()
    if latest is None:
        return {}
    try:
        return validate_area_levels(latest.levels)
    except FindingsError:
        logger.warning("Stored CMRT area levels %s are no longer valid; using none", latest.pk)
        return {}


def cmrt_area_levels_history(limit: int = 20) -> QuerySet[CmrtAreaLevels]:
    """The most recent CMRT levels versions, newest first, with who saved them."""
    return CmrtAreaLevels.objects.select_related("updated_by").order_by("-updated_at", "-id")[
        :limit
    ]
