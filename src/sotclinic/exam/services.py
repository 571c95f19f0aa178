"""Writes for the SOT exam settings: saving or resetting the clinic's protocol table."""

from typing import Any

from sotclinic.sot import ProtocolTable

from .models import ProtocolTableOverride


def save_protocol_table(raw_table: Any, user) -> ProtocolTableOverride:
    """Check a table and store it as the new version in force.

    Raises ``ProtocolTableError`` (naming each field at fault) and stores nothing when the table
    is not well formed. The stored JSON is the engine's normalised form of the table.
    """
    table = ProtocolTable.from_dict(raw_table)
    return ProtocolTableOverride.objects.create(table=table.as_dict(), updated_by=user)


def reset_protocol_table(user) -> ProtocolTableOverride:
    """Put the shipped default table back in force, keeping who did it in the history."""
    return ProtocolTableOverride.objects.create(table=None, updated_by=user)
