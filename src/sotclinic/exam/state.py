"""The exam state: one JSON document holding everything the exam screen records.

Shape (stored by the chart as is)::

    {"findings": {"leg_length": {...}, "indicators": [{"code", "side"}]},   # engine request body
     "recheck": {"<indicator code>": "cleared" | "present"},
     "cmrt": [{"line", "position", "side", "level", "area"}],
     "cranial": [{"name", "side", "response"}]}

``parse_exam_post`` reads it from the exam form's fields, which all carry a prefix (``exam-`` by
default) so the form can sit inside a larger form such as a visit note.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from sotclinic.sot import (
    CMRT_LINES,
    CMRT_POSITIONS,
    CRANIAL_ITEMS,
    INDICATORS,
    SIDES,
    VERTEBRAL_LEVELS,
    FindingsError,
    cmrt_lookup,
    reflex_area_for_level,
    validate_findings,
)
from sotclinic.sot.indicators import INDICATOR_ORDER

RECHECK_CHOICES: Final = ("cleared", "present")
LEG_SIDE_CHOICES: Final = ("none", "left", "right")
MAX_CMRT_ROWS: Final = 12
MAX_CRANIAL_ROWS: Final = 12
MAX_TEXT: Final = 200
CMRT_PARTS: Final = ("line", "position", "side", "level", "area")
CRANIAL_PARTS: Final = ("name", "side", "response")
CRANIAL_BY_NAME: Final = {item.name: item for item in CRANIAL_ITEMS.values()}


def empty_state() -> dict[str, Any]:
    """The state of an exam in which nothing has been recorded yet."""
    return {"findings": {"indicators": []}, "recheck": {}, "cmrt": [], "cranial": []}


class ExamFields:
    """The form field names for one prefix, in one place for the parser and the templates."""

    def __init__(self, prefix: str = "exam") -> None:
        self.prefix = prefix

    def indicator(self, code: str) -> str:
        return f"{self.prefix}-ind-{code}"

    def recheck(self, code: str) -> str:
        return f"{self.prefix}-recheck-{code}"

    @property
    def leg_side(self) -> str:
        return f"{self.prefix}-leg-side"

    @property
    def leg_mm(self) -> str:
        return f"{self.prefix}-leg-mm"

    def cmrt(self, index: int, part: str) -> str:
        return f"{self.prefix}-cmrt-{index}-{part}"

    def cranial(self, index: int, part: str) -> str:
        return f"{self.prefix}-cranial-{index}-{part}"


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _number(text: str) -> float | int | None:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return int(value) if value.is_integer() else value


def _parse_indicators(data, fields: ExamFields, errors: dict[str, str]) -> list[dict[str, str]]:
    found = []
    for code in sorted(INDICATORS, key=INDICATOR_ORDER.__getitem__):
        side = _text(data, fields.indicator(code))
        if not side:
            continue
        allowed = INDICATORS[code].sides
        if side not in allowed:
            errors[fields.indicator(code)] = (
                f"Choose one of: {', '.join(allowed)}, or — for negative."
            )
            continue
        found.append({"code": code, "side": side})
    return found


def _parse_leg_length(data, fields: ExamFields, errors: dict[str, str]) -> dict[str, Any] | None:
    side, mm_text = _text(data, fields.leg_side), _text(data, fields.leg_mm)
    if not side and not mm_text:
        return None
    if side and side not in LEG_SIDE_CHOICES:
        errors[fields.leg_side] = "Choose left, right or equal."
        return None
    mm = None
    if mm_text:
        try:
            mm = _number(mm_text)
        except ValueError:
            errors[fields.leg_mm] = "Enter the difference in millimetres as a number, e.g. 6."
            return None
    if not side:
        errors[fields.leg_side] = "Choose which leg is short (or equal) for the difference given."
        return None
    leg = {"prone_short_side": side}
    if mm is not None:
        leg["difference_mm"] = mm
    try:
        validate_findings({"indicators": [], "leg_length": leg})
    except FindingsError as error:
        for path, message in error.errors:
            name = fields.leg_mm if path.endswith("difference_mm") else fields.leg_side
            errors[name] = f"Difference {message}." if name == fields.leg_mm else message
        return None
    return leg


def _parse_recheck(data, fields, positive: list[str], errors) -> dict[str, str]:
    recheck = {}
    for code in positive:
        value = _text(data, fields.recheck(code))
        if not value:
            continue
        if value not in RECHECK_CHOICES:
            errors[fields.recheck(code)] = "Choose cleared or still present."
            continue
        recheck[code] = value
    return recheck


def _choice_int(text: str, allowed: tuple[int, ...]) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value in allowed else None


def _parse_cmrt(data, fields: ExamFields, errors: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for index in range(MAX_CMRT_ROWS):
        raw = {part: _text(data, fields.cmrt(index, part)) for part in CMRT_PARTS}
        if not any(raw.values()):
            continue
        row_errors = {}
        line = _choice_int(raw["line"], CMRT_LINES)
        position = _choice_int(raw["position"], CMRT_POSITIONS)
        if line is None:
            row_errors["line"] = f"Choose a fiber line ({CMRT_LINES[0]}–{CMRT_LINES[-1]})."
        if position is None:
            row_errors["position"] = (
                f"Choose a position ({CMRT_POSITIONS[0]}–{CMRT_POSITIONS[-1]})."
            )
        if raw["side"] not in SIDES:
            row_errors["side"] = "Choose left, right or bilateral."
        if raw["level"] and raw["level"] not in VERTEBRAL_LEVELS:
            row_errors["level"] = "Choose a vertebral level such as T5."
        if len(raw["area"]) > MAX_TEXT:
            row_errors["area"] = f"Keep the area under {MAX_TEXT} characters."
        if row_errors:
            errors.update({fields.cmrt(index, part): msg for part, msg in row_errors.items()})
            continue
        lookup = cmrt_lookup(line, position)
        level = raw["level"] or lookup.vertebral_level
        area = raw["area"] or None
        if area is None and level is not None:
            known = reflex_area_for_level(level)
            area = known.reflex_area if known else None
        rows.append(
            {"line": line, "position": position, "side": raw["side"], "level": level, "area": area}
        )
    return rows


def _parse_cranial(data, fields: ExamFields, errors: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for index in range(MAX_CRANIAL_ROWS):
        raw = {part: _text(data, fields.cranial(index, part)) for part in CRANIAL_PARTS}
        if not any(raw.values()):
            continue
        item = CRANIAL_BY_NAME.get(raw["name"])
        if item is None:
            errors[fields.cranial(index, "name")] = "Choose a finding or procedure from the list."
            continue
        side = raw["side"] or None
        if side is not None and side not in item.sides:
            errors[fields.cranial(index, "side")] = (
                f"{item.name} is recorded on: {', '.join(item.sides)}."
                if item.sides
                else f"{item.name} is a midline item; leave the side empty."
            )
            continue
        if len(raw["response"]) > MAX_TEXT:
            errors[fields.cranial(index, "response")] = f"Keep it under {MAX_TEXT} characters."
            continue
        rows.append({"name": item.name, "side": side, "response": raw["response"]})
    return rows


def has_exam_fields(data: Mapping[str, Any], prefix: str = "exam") -> bool:
    """Whether a POST carries any field of the exam form with this prefix."""
    return any(isinstance(key, str) and key.startswith(f"{prefix}-") for key in data)


def parse_exam_post(
    data: Mapping[str, Any], prefix: str = "exam"
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Read the exam state from posted form data.

    Returns ``(state, errors)``. ``state`` is None when the data holds no field of this exam
    form. ``errors`` maps form field names to messages for a person; when it is not empty the
    state holds only the valid parts, so the form can be shown again with the messages, and the
    caller should not store it.
    """
    if not has_exam_fields(data, prefix):
        return None, {}
    fields = ExamFields(prefix)
    errors: dict[str, str] = {}
    findings: dict[str, Any] = {"indicators": _parse_indicators(data, fields, errors)}
    leg = _parse_leg_length(data, fields, errors)
    if leg is not None:
        findings["leg_length"] = leg
    positive = [entry["code"] for entry in findings["indicators"]]
    state = {
        "findings": findings,
        "recheck": _parse_recheck(data, fields, positive, errors),
        "cmrt": _parse_cmrt(data, fields, errors),
        "cranial": _parse_cranial(data, fields, errors),
    }
    return state, errors
