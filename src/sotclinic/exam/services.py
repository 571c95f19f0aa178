"""Writes for the SOT exam: the clinic's protocol table and CMRT area levels, and what a saved
exam raises."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from sotclinic.data_text import source_text
from sotclinic.errors import DomainError
from sotclinic.intake.services import raise_examination_flag
from sotclinic.sot import ProtocolTable, validate_area_levels

from .models import CmrtAreaLevels, ProtocolTableOverride
from .screening import UMN_RED_FLAG, positive_umn_signs, umn_flag_explanation


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


class CmrtLevelsConflict(DomainError):
    """The levels changed since the form was opened; saving would overwrite someone's edit."""

    status_code = 409
    message = (
        "Someone saved the CMRT levels while you were editing. Nothing was saved: the levels "
        "now in force are shown below; make your change again."
    )


def save_cmrt_area_levels(raw_levels: Any, user, based_on: int | None) -> CmrtAreaLevels:
    """Check a clinic's CMRT area → level table and store it as the version in force.

    ``based_on`` is the id of the version the editor started from (None: never edited). Raises
    ``FindingsError`` (naming each area at fault) for a bad table and ``CmrtLevelsConflict`` when
    another version was saved meanwhile; either way nothing is stored.
    """
    levels = {str(area): level for area, level in sorted(validate_area_levels(raw_levels).items())}
    with transaction.atomic():
        # Lock the newest version so two editors cannot both pass the check below.
        latest = CmrtAreaLevels.objects.select_for_update().order_by("-updated_at", "-id").first()
        if (latest.pk if latest else None) != based_on:
            raise CmrtLevelsConflict
        return CmrtAreaLevels.objects.create(
            levels=levels,
            previous_levels=latest.levels if latest else {},
            updated_by=user,
        )


def raise_exam_red_flags(patient, state: Mapping[str, Any] | None):
    """Raise the red flag a saved exam calls for: a positive upper-motor-neurone sign.

    Call it in the transaction that stores the exam. Returns the new finding, or None when no
    sign is positive or the flag is already open for the patient.
    """
    signs = positive_umn_signs(state)
    if not signs:
        return None
    return raise_examination_flag(
        patient,
        rule_id=UMN_RED_FLAG["rule_id"],
        title=source_text(UMN_RED_FLAG["title"]),
        severity=UMN_RED_FLAG["severity"],
        explanation=umn_flag_explanation(signs),
        sources=UMN_RED_FLAG["sources"],
    )
