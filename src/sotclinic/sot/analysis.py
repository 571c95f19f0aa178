"""The category rules: findings in, a suggested SOT category, side and blocking protocol out.

The rules, precisely (engine version "2"; version 1 had rules 1-5 only, and a version-1 request
body analyses exactly as it did then, apart from ``engine_version``):

1. **Merging.** Each indicator code counts once. If a code is listed more than once, its sides
   are merged: one lateral side (left or right, possibly repeated) stays that side; left together
   with right, or any side together with bilateral, becomes bilateral, because a finding positive
   on both sides says nothing about which side is involved.

2. **Category.** The categories of the merged indicators are collected.
   - none → ``indeterminate``: category, side and protocol are null, reasons empty.
   - more than one → ``conflict``: category and side null, protocol null, and the reasons list
     every positive indicator of every category, so the practitioner sees the disagreement and
     resolves it.
   - exactly one → that category, and the side is decided next.

3. **Side** (of the chosen category's findings only; bilateral findings never decide side).
   - all lateral findings on one side → that side.
   - lateral findings on both left and right → ``conflict`` with the category kept, side null,
     protocol null; the reasons show the findings on each side.
   - only bilateral findings → the prone short-leg side when one is recorded (leg length is the
     SOT tie-breaker for block placement); with no short leg recorded → ``conflict`` with the
     category kept and side null.

4. **Protocol** (only when the status is ``determined``): the category's position from the
   protocol table; the blocks listed in the table under a reference side, which is the recorded
   prone short-leg side when the category's table entry is keyed by ``short_leg_side`` and a short
   leg is recorded, and the findings' side otherwise (including tables keyed by
   ``finding_side``); ``recheck`` lists the chosen category's positive indicator codes, which SOT
   expects to change or clear during blocking.

5. **Reasons**: one per merged positive indicator that counted, as ``{code, category, side}``
   (each code once, after merging), in registry order: category I, II, III, then the order of
   the data file. The result therefore never depends on the order of the input. When the
   recorded short-leg side decided the side (rule 3) or the blocks (rule 4), one more reason
   follows the indicators:
   ``{"code": "leg_length", "category": <chosen category>, "side": <short side>}``.
   ``leg_length`` is reserved and is never an indicator code.

6. **Leg checks, version 2.** When the findings carry ``leg_checks`` instead of ``leg_length``,
   the prone check that places the blocks (knees straight, else knees flexed; a supine check
   never does) stands in for the prone short leg of rules 3 and 4, and the ``leg_length`` reason
   also names it: ``{"code": "leg_length", ..., "method": "prone_knees_straight"}``.

7. **Notes** (only when a category was chosen, i.e. ``determined`` or a side ``conflict``), after
   the reasons above, each with a ``detail`` sentence from ``data/leg_checks.json``:
   ``{"code": "leg_check_disagreement", "category": ..., "side": null, "detail": ...}`` when the
   prone check used and a supine check name different short sides (they disagreed in 42% of
   subjects in Cooperstein & Lucente 2017), and
   ``{"code": "anatomical_short_leg", "category": ..., "side": <short side>, "detail": ...}``
   when an anatomical short leg is recorded (measured or suspected), with the heel-lift note from
   the source. Neither changes the category, side or blocks. ``leg_check_disagreement`` and
   ``anatomical_short_leg`` are reserved like ``leg_length``.

Leg length with no short side (``none``/null) or absent is simply not used. The magnitude
(``difference_mm``) is validated and kept with the findings but does not change the suggestion;
the sources give no threshold.

Every rule treats left and right alike, so mirroring every side of the findings (indicators and
short leg) mirrors the result's side and the blocks' sides (given a mirror-symmetric table, as the
default is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from .findings import Findings, IndicatorFinding, validate_findings
from .indicators import INDICATOR_ORDER, INDICATORS
from .leg_checks import ANATOMICAL_SHORT_LEG_NOTE, DISAGREEMENT_NOTE
from .protocols import Block, ProtocolTable, default_protocol_table
from .vocabulary import Category, Lateral, Position, Side

ENGINE_VERSION: Final = "2"
LEG_LENGTH_REASON_CODE: Final = "leg_length"
LEG_CHECK_DISAGREEMENT_REASON_CODE: Final = "leg_check_disagreement"
ANATOMICAL_SHORT_LEG_REASON_CODE: Final = "anatomical_short_leg"
# Reason codes that are not indicators; none may ever be used as an indicator code.
RESERVED_REASON_CODES: Final = (
    LEG_LENGTH_REASON_CODE,
    LEG_CHECK_DISAGREEMENT_REASON_CODE,
    ANATOMICAL_SHORT_LEG_REASON_CODE,
)

Status = Literal["determined", "conflict", "indeterminate"]


@dataclass(frozen=True)
class Reason:
    """A finding that counted towards the result, or a note about the leg checks.

    ``method`` names the leg check a ``leg_length`` reason came from (version-2 findings only);
    ``detail`` is the sentence of a note. Both are left out of ``as_dict`` when absent, so a
    version-1 body gets exactly the version-1 reasons.
    """

    code: str
    category: Category
    side: Side | None
    method: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        body: dict[str, str | None] = {
            "code": self.code,
            "category": self.category,
            "side": self.side,
        }
        if self.method is not None:
            body["method"] = self.method
        if self.detail is not None:
            body["detail"] = self.detail
        return body


@dataclass(frozen=True)
class Protocol:
    """The suggested blocking set-up: position, blocks and indicators to re-check."""

    position: Position
    blocks: tuple[Block, ...]
    recheck: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "blocks": [block.as_dict() for block in self.blocks],
            "recheck": list(self.recheck),
        }


@dataclass(frozen=True)
class Analysis:
    """The engine's suggestion. The chart stores it beside the practitioner's own choice."""

    status: Status
    category: Category | None
    side: Lateral | None
    reasons: tuple[Reason, ...]
    protocol: Protocol | None
    engine_version: str = ENGINE_VERSION

    def as_dict(self) -> dict[str, Any]:
        """The exact JSON body of ``POST /api/v1/sot/analyze`` (fields in contract order)."""
        return {
            "status": self.status,
            "category": self.category,
            "side": self.side,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "protocol": None if self.protocol is None else self.protocol.as_dict(),
            "engine_version": self.engine_version,
        }


def merge_indicators(findings: tuple[IndicatorFinding, ...]) -> dict[str, Side]:
    """One side per code, in registry order (rule 1 of the module docstring)."""
    sides_by_code: dict[str, set[Side]] = {}
    for finding in findings:
        sides_by_code.setdefault(finding.code, set()).add(finding.side)
    merged: dict[str, Side] = {}
    for code in sorted(sides_by_code, key=INDICATOR_ORDER.__getitem__):
        sides = sides_by_code[code]
        merged[code] = sides.pop() if len(sides) == 1 else "bilateral"
    return merged


def _reasons(merged: Mapping[str, Side]) -> tuple[Reason, ...]:
    # ``merged`` is already in registry order, which is what makes the reasons deterministic.
    return tuple(Reason(code, INDICATORS[code].category, side) for code, side in merged.items())


def analyze(
    findings: Mapping[str, Any] | Findings, protocol_table: ProtocolTable | None = None
) -> Analysis:
    """Suggest the SOT category, side and blocking protocol for a visit's findings.

    ``findings`` is either the request body as a plain dict (validated first, so a malformed
    body raises ``FindingsError``) or already-typed ``Findings``, for which this never raises.
    ``protocol_table`` is a clinic's block-placement table; the shipped default is used when it
    is None. The rules are set out in this module's docstring. The result is a suggestion of what
    the method prescribes, not a diagnosis.
    """
    typed = findings if isinstance(findings, Findings) else validate_findings(findings)
    table = protocol_table if protocol_table is not None else default_protocol_table()
    merged = merge_indicators(typed.indicators)
    if not merged:
        return Analysis("indeterminate", None, None, (), None)

    categories = {INDICATORS[code].category for code in merged}
    if len(categories) > 1:
        return Analysis("conflict", None, None, _reasons(merged), None)

    (category,) = categories
    reasons = _reasons(merged)
    notes = _notes(typed, category)
    short_side = typed.prone_short_side
    lateral = {side for side in merged.values() if side != "bilateral"}
    leg_length_used = False
    side: Lateral
    if lateral == {"left"}:
        side = "left"
    elif lateral == {"right"}:
        side = "right"
    elif lateral:
        return Analysis("conflict", category, None, reasons + notes, None)
    elif short_side is not None:
        side = short_side
        leg_length_used = True
    else:
        return Analysis("conflict", category, None, reasons + notes, None)

    entry = table.category(category)
    reference: Lateral = side
    if entry.blocks_keyed_by == "short_leg_side" and short_side is not None:
        reference = short_side
        leg_length_used = True
    protocol = Protocol(
        position=entry.position,
        blocks=entry.blocks[reference],
        recheck=tuple(merged),
    )
    if leg_length_used and short_side is not None:
        check = typed.placement_check
        method = check.method if check is not None and typed.leg_length is None else None
        reasons += (Reason(LEG_LENGTH_REASON_CODE, category, short_side, method=method),)
    return Analysis("determined", category, side, reasons + notes, protocol)


def _notes(findings: Findings, category: Category) -> tuple[Reason, ...]:
    """Rule 7: what the practitioner should know about the leg checks, in a fixed order."""
    notes: tuple[Reason, ...] = ()
    if findings.leg_checks_disagree:
        notes += (
            Reason(
                LEG_CHECK_DISAGREEMENT_REASON_CODE,
                category,
                None,
                detail=DISAGREEMENT_NOTE.note,
            ),
        )
    anatomical = findings.anatomical_short_leg
    if anatomical is not None:
        notes += (
            Reason(
                ANATOMICAL_SHORT_LEG_REASON_CODE,
                category,
                anatomical.side,
                detail=ANATOMICAL_SHORT_LEG_NOTE.note,
            ),
        )
    return notes
