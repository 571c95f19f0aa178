"""Leg checks recorded properly: method, short side, difference, examiner's confidence.

The version-1 request shape had one prone check (``leg_length``). Version 2 adds, beside it::

    "leg_checks": [{"method": "prone_knees_straight", "short_side": "left",
                    "difference_mm": 6, "confidence": "high"},
                   {"method": "supine", "short_side": "right", "confidence": "low"}],
    "anatomical_short_leg": {"status": "measured", "side": "left", "difference_mm": 9}

The methods, confidence levels and the two notes the analysis quotes (prone and supine checks that
disagree, an anatomical short leg) are data in ``data/leg_checks.json`` with their sources. Only a
prone check places the blocks: that is what the SOT sources describe, and a supine check is
recorded so that a disagreement can be said plainly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from ._data import load_json
from .errors import FindingsError, json_type_name
from .vocabulary import LATERAL_SIDES, Lateral

# One metre: larger values are certainly a unit mistake, not a leg-length difference.
MAX_DIFFERENCE_MM: Final = 1000

LegCheckMethod = Literal["prone_knees_straight", "prone_knees_flexed", "supine"]
Confidence = Literal["high", "medium", "low"]
AnatomicalStatus = Literal["measured", "suspected"]

ANATOMICAL_STATUSES: Final[tuple[AnatomicalStatus, ...]] = ("measured", "suspected")
LEG_CHECK_FIELDS: Final = ("method", "short_side", "difference_mm", "confidence")
ANATOMICAL_FIELDS: Final = ("status", "side", "difference_mm")


@dataclass(frozen=True)
class LegCheckMethodInfo:
    """One way of checking leg length, with the position the patient is in and its source."""

    code: LegCheckMethod
    label: str
    position: Literal["prone", "supine"]
    source: str


@dataclass(frozen=True)
class SourcedNote:
    """A sentence the analysis adds to its reasons, with the source it paraphrases."""

    note: str
    source: str


def _parse(
    raw: Any,
) -> tuple[dict[str, LegCheckMethodInfo], tuple[str, ...], SourcedNote, SourcedNote]:
    methods: dict[str, LegCheckMethodInfo] = {}
    for index, entry in enumerate(raw["methods"]):
        where = f"leg_checks.methods[{index}]"
        if entry["position"] not in ("prone", "supine") or entry["code"] in methods:
            raise ValueError(f"{where}: position must be prone or supine and codes unique")
        for key in ("code", "label", "source"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise ValueError(f"{where}.{key}: must be a non-empty string")
        methods[entry["code"]] = LegCheckMethodInfo(
            entry["code"], entry["label"], entry["position"], entry["source"]
        )
    if set(methods) != {"prone_knees_straight", "prone_knees_flexed", "supine"}:
        raise ValueError("leg_checks.methods: must name exactly the three methods the engine knows")
    notes = []
    for key in ("disagreement", "anatomical_short_leg"):
        entry = raw[key]
        if not all(isinstance(entry.get(k), str) and entry[k].strip() for k in ("note", "source")):
            raise ValueError(f"leg_checks.{key}: needs a note and a source")
        notes.append(SourcedNote(entry["note"], entry["source"]))
    levels = tuple(raw["confidence_levels"])
    if levels != ("high", "medium", "low"):
        raise ValueError("leg_checks.confidence_levels: must be high, medium, low")
    return methods, levels, notes[0], notes[1]


_METHODS, CONFIDENCE_LEVELS, DISAGREEMENT_NOTE, ANATOMICAL_SHORT_LEG_NOTE = _parse(
    load_json("leg_checks.json")
)
LEG_CHECK_METHODS: Final[Mapping[str, LegCheckMethodInfo]] = MappingProxyType(_METHODS)
# Which check places the blocks when several were recorded: the straight-knee prone check, then
# the flexed-knee one. A supine check never does.
PLACEMENT_ORDER: Final[tuple[LegCheckMethod, ...]] = ("prone_knees_straight", "prone_knees_flexed")


def difference_problems(
    side: object,
    difference: object,
    *,
    when_none: str = "the short side is none",
    when_short: str = "a leg is short",
) -> list[tuple[str, str]]:
    """Problems with a short side and a difference in mm, as ``(field, message)`` pairs.

    ``when_none`` and ``when_short`` name the side the way the request shape being checked names
    it, so each shape's messages speak of its own fields.
    """
    problems: list[tuple[str, str]] = []
    if difference is None:
        return problems
    if isinstance(difference, bool) or not isinstance(difference, int | float):
        problems.append(("difference_mm", f"must be a number, not {json_type_name(difference)}"))
    elif not math.isfinite(difference):
        problems.append(("difference_mm", "must be a finite number"))
    elif difference < 0:
        problems.append(("difference_mm", "must be 0 or more"))
    elif difference > MAX_DIFFERENCE_MM:
        problems.append(("difference_mm", f"must be at most {MAX_DIFFERENCE_MM} (millimetres)"))
    elif side is None and difference > 0:
        problems.append(("difference_mm", f"must be 0 or omitted when {when_none}"))
    elif side in LATERAL_SIDES and difference == 0:
        problems.append(
            (
                "difference_mm",
                f"must be greater than 0 when {when_short} (omit it if it was not measured)",
            )
        )
    return problems


@dataclass(frozen=True)
class LegCheck:
    """One leg check: how it was done, which leg was short (None: equal), by how much, how sure."""

    method: LegCheckMethod
    short_side: Lateral | None
    confidence: Confidence
    difference_mm: float | None = None

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if self.method not in LEG_CHECK_METHODS:
            problems.append(("method", f"must be one of {', '.join(LEG_CHECK_METHODS)}"))
        if self.short_side is not None and self.short_side not in LATERAL_SIDES:
            problems.append(("short_side", "must be one of left, right, none (or null)"))
        if self.confidence not in CONFIDENCE_LEVELS:
            problems.append(("confidence", f"must be one of {', '.join(CONFIDENCE_LEVELS)}"))
        problems += difference_problems(self.short_side, self.difference_mm)
        if problems:
            raise FindingsError(problems)

    def as_dict(self) -> dict[str, Any]:
        """The check as it appears in a request body (``none`` for equal legs)."""
        body: dict[str, Any] = {"method": self.method, "short_side": self.short_side or "none"}
        if self.difference_mm is not None:
            body["difference_mm"] = self.difference_mm
        body["confidence"] = self.confidence
        return body


@dataclass(frozen=True)
class AnatomicalShortLeg:
    """A real (bone-length) short leg, measured or only suspected by the practitioner."""

    status: AnatomicalStatus
    side: Lateral
    difference_mm: float | None = None

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if self.status not in ANATOMICAL_STATUSES:
            problems.append(("status", "must be one of measured, suspected"))
        if self.side not in LATERAL_SIDES:
            problems.append(("side", "must be one of left, right"))
        problems += difference_problems(self.side, self.difference_mm)
        if problems:
            raise FindingsError(problems)

    def as_dict(self) -> dict[str, Any]:
        """The flag as it appears in a request body."""
        body: dict[str, Any] = {"status": self.status, "side": self.side}
        if self.difference_mm is not None:
            body["difference_mm"] = self.difference_mm
        return body


def _unknown(raw: Mapping[Any, Any], allowed: tuple[str, ...], where: str) -> list:
    return [
        (where, f"unknown field {key!r}; allowed: {', '.join(allowed)}")
        for key in raw
        if key not in allowed
    ]


def _validate_leg_check(raw: object, where: str) -> tuple[LegCheck | None, list]:
    if not isinstance(raw, Mapping):
        return None, [(where, f"must be an object, not {json_type_name(raw)}")]
    problems = _unknown(raw, LEG_CHECK_FIELDS, where)
    method, side, confidence = raw.get("method"), raw.get("short_side"), raw.get("confidence")
    if "method" not in raw:
        problems.append((f"{where}.method", "is required"))
    elif not isinstance(method, str) or method not in LEG_CHECK_METHODS:
        problems.append((f"{where}.method", f"must be one of {', '.join(LEG_CHECK_METHODS)}"))
    # "none" is the explicit way to say the legs were checked and found equal.
    if side == "none":
        side = None
    if "short_side" not in raw:
        problems.append((f"{where}.short_side", "is required (none when the legs are equal)"))
    elif side is not None and side not in LATERAL_SIDES:
        problems.append((f"{where}.short_side", "must be one of left, right, none (or null)"))
    if "confidence" not in raw:
        problems.append((f"{where}.confidence", "is required: how sure the examiner is"))
    elif not isinstance(confidence, str) or confidence not in CONFIDENCE_LEVELS:
        problems.append((f"{where}.confidence", f"must be one of {', '.join(CONFIDENCE_LEVELS)}"))
    problems += [
        (f"{where}.{field}", message)
        for field, message in difference_problems(side, raw.get("difference_mm"))
    ]
    if problems:
        return None, problems
    return (
        LegCheck(
            cast(LegCheckMethod, method),
            cast(Lateral | None, side),
            cast(Confidence, confidence),
            cast(float | None, raw.get("difference_mm")),
        ),
        [],
    )


def validate_leg_checks(raw: object) -> tuple[tuple[LegCheck, ...], list]:
    """The ``leg_checks`` list as typed checks, or the problems with it (field paths named)."""
    if raw is None:
        return (), []
    if not isinstance(raw, list | tuple):
        return (), [("leg_checks", f"must be a list, not {json_type_name(raw)}")]
    if len(raw) > len(LEG_CHECK_METHODS):
        return (), [("leg_checks", "must hold at most one check per method")]
    checks: list[LegCheck] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        check, entry_problems = _validate_leg_check(entry, f"leg_checks[{index}]")
        problems += entry_problems
        if check is None:
            continue
        if check.method in seen:
            problems.append(
                (f"leg_checks[{index}].method", f"{check.method} is listed more than once")
            )
        seen.add(check.method)
        checks.append(check)
    return tuple(checks), problems


def validate_anatomical_short_leg(raw: object) -> tuple[AnatomicalShortLeg | None, list]:
    """The ``anatomical_short_leg`` object as a typed flag, or the problems with it."""
    where = "anatomical_short_leg"
    if raw is None:
        return None, []
    if not isinstance(raw, Mapping):
        return None, [(where, f"must be an object or null, not {json_type_name(raw)}")]
    problems = _unknown(raw, ANATOMICAL_FIELDS, where)
    status, side = raw.get("status"), raw.get("side")
    if "status" not in raw:
        problems.append((f"{where}.status", "is required: measured or suspected"))
    elif not isinstance(status, str) or status not in ANATOMICAL_STATUSES:
        problems.append((f"{where}.status", "must be one of measured, suspected"))
    if "side" not in raw:
        problems.append((f"{where}.side", "is required: the anatomically short side"))
    elif not isinstance(side, str) or side not in LATERAL_SIDES:
        problems.append((f"{where}.side", "must be one of left, right"))
    problems += [
        (f"{where}.{field}", message)
        for field, message in difference_problems(
            side if side in LATERAL_SIDES else "left", raw.get("difference_mm")
        )
    ]
    if problems:
        return None, problems
    return (
        AnatomicalShortLeg(
            cast(AnatomicalStatus, status),
            cast(Lateral, side),
            cast(float | None, raw.get("difference_mm")),
        ),
        [],
    )


def placement_check(checks: tuple[LegCheck, ...]) -> LegCheck | None:
    """The check that places the blocks: prone with knees straight, else prone with knees flexed."""
    by_method = {check.method: check for check in checks}
    for method in PLACEMENT_ORDER:
        if method in by_method:
            return by_method[method]
    return None


def checks_disagree(checks: tuple[LegCheck, ...]) -> bool:
    """True when the placing prone check and a supine check name different short sides."""
    prone = placement_check(checks)
    supine = next((check for check in checks if check.method == "supine"), None)
    return prone is not None and supine is not None and prone.short_side != supine.short_side
