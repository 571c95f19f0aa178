"""Reads for the SOT exam: the protocol table in force and its history."""

import logging

from django.db.models import QuerySet

from sotclinic.sot import ProtocolTable, ProtocolTableError, default_protocol_table

from .models import ProtocolTableOverride

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


def protocol_table_history(limit: int = 20) -> QuerySet[ProtocolTableOverride]:
    """The most recent versions, newest first, with who saved them."""
    return ProtocolTableOverride.objects.select_related("updated_by").order_by(
        "-updated_at", "-id"
    )[:limit]
