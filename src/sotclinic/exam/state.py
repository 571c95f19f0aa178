"""The exam state: one JSON document holding everything the exam screen records.

Shape (stored by the chart as is)::

    {"findings": {"leg_checks": [...], "anatomical_short_leg": {...},    # engine request body
                  "indicators": [{"code", "side"}]},
     "recheck": {"<indicator code>": "cleared" | "present"},
     "cmrt": [{"line", "area", "side", "vertebral_level", "reflex_area", "trapezius_confirmed"}],
     "cmrt_old": [{"line", "position", "side", "level", "area"}],   # kept from the old layout
     "rc_factors": [{"pair", "side", "response"}],
     "cranial": [{"name", "side", "response"}],
     "screening": {"blood_pressure", "cranial_nerves", "gait", "umn"}}   # see exam.screening

Older states carry ``findings.leg_length`` (one prone check) and CMRT rows in the version-1
layout (``line``/``position``); every reader accepts both (``cmrt_rows_of``).

``parse_exam_post`` reads it from the exam form's fields, which all carry a prefix (``exam-`` by
default) so the form can sit inside a larger form such as a visit note.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from sotclinic.sot import (
    CMRT_AREAS,
    CONFIDENCE_LEVELS,
    CRANIAL_ITEMS,
    INDICATORS,
    LATERAL_SIDES,
    LEG_CHECK_METHODS,
    RC_PAIRS,
    SIDES,
    VERTEBRAL_LEVELS,
    FindingsError,
    area_level,
    map_v1_cmrt_entry,
    reflex_area_for_level,
    validate_findings,
)
from sotclinic.sot.indicators import INDICATOR_ORDER

from .screening import parse_screening
from .selectors import current_cmrt_area_levels

RECHECK_CHOICES: Final = ("cleared", "present")
LEG_SIDE_CHOICES: Final = ("none", "left", "right")
MAX_CMRT_ROWS: Final = 12
MAX_CRANIAL_ROWS: Final = 12
MAX_RC_ROWS: Final = 12
MAX_TEXT: Final = 200
MAX_NOTE: Final = 500
CMRT_PARTS: Final = ("line", "area", "side", "level", "reflex", "trapezius")
CMRT_V1_PARTS: Final = ("line", "position", "side", "level", "area")
CRANIAL_PARTS: Final = ("name", "side", "response")
RC_PARTS: Final = ("pair", "side", "response")
LEG_CHECK_PARTS: Final = ("side", "mm", "confidence")
ANATOMICAL_PARTS: Final = ("status", "side", "mm")
TRAPEZIUS_CHOICES: Final = {"": None, "confirmed": True, "not_confirmed": False}
CRANIAL_BY_NAME: Final = {item.name: item for item in CRANIAL_ITEMS.values()}


def empty_state() -> dict[str, Any]:
    """The state of an exam in which nothing has been recorded yet."""
    return {
        "findings": {"indicators": []},
        "recheck": {},
        "cmrt": [],
        "rc_factors": [],
        "cranial": [],
        "screening": {},
    }


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

    def leg_check(self, method: str, part: str) -> str:
        return f"{self.prefix}-legcheck-{method}-{part}"

    def anatomical(self, part: str) -> str:
        return f"{self.prefix}-asl-{part}"

    def cmrt(self, index: int, part: str) -> str:
        return f"{self.prefix}-cmrt-{index}-{part}"

    def rc(self, index: int, part: str) -> str:
        return f"{self.prefix}-rc-{index}-{part}"

    def screening(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    def cranial(self, index: int, part: str) -> str:
        return f"{self.prefix}-cranial-{index}-{part}"


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def refuse_bad_text(
    data: Mapping[str, Any], names: list[str], errors: dict[str, str], limit: int = MAX_TEXT
) -> None:
    """Name each field that holds a NUL character or more than ``limit`` characters."""
    for name in names:
        value = data.get(name, "")
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            errors[name] = "This field holds a character that cannot be stored (NUL); retype it."
        elif len(value) > limit:
            errors[name] = f"Keep this under {limit} characters."


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


def _parse_mm(text: str, name: str, errors: dict[str, str]) -> float | int | None:
    if not text:
        return None
    try:
        return _number(text)
    except ValueError:
        errors[name] = "Enter the difference in millimetres as a number, e.g. 6."
        return None


def _parse_leg_checks(data, fields: ExamFields, errors: dict[str, str]) -> list[dict[str, Any]]:
    checks = []
    for method, info in LEG_CHECK_METHODS.items():
        names = {part: fields.leg_check(method, part) for part in LEG_CHECK_PARTS}
        raw = {part: _text(data, name) for part, name in names.items()}
        if not any(raw.values()):
            continue
        row_errors: dict[str, str] = {}
        if raw["side"] not in LEG_SIDE_CHOICES:
            row_errors[names["side"]] = f"{info.label}: choose left short, right short or equal."
        if raw["confidence"] not in CONFIDENCE_LEVELS:
            row_errors[names["confidence"]] = (
                f"{info.label}: choose how sure you are (high, medium or low)."
            )
        mm = _parse_mm(raw["mm"], names["mm"], row_errors)
        if row_errors:
            errors.update(row_errors)
            continue
        check: dict[str, Any] = {"method": method, "short_side": raw["side"]}
        if mm is not None:
            check["difference_mm"] = mm
        check["confidence"] = raw["confidence"]
        try:
            validate_findings({"indicators": [], "leg_checks": [check]})
        except FindingsError as error:
            for path, message in error.errors:
                part = "mm" if path.endswith("difference_mm") else "side"
                errors[names[part]] = f"{info.label}: difference {message}."
            continue
        checks.append(check)
    return checks


def _parse_anatomical(data, fields: ExamFields, errors: dict[str, str]) -> dict[str, Any] | None:
    names = {part: fields.anatomical(part) for part in ANATOMICAL_PARTS}
    raw = {part: _text(data, name) for part, name in names.items()}
    if not any(raw.values()):
        return None
    if raw["status"] not in ("measured", "suspected"):
        errors[names["status"]] = "Anatomical short leg: choose measured or suspected."
    if raw["side"] not in LATERAL_SIDES:
        errors[names["side"]] = "Anatomical short leg: choose which leg is short."
    mm = _parse_mm(raw["mm"], names["mm"], errors)
    if any(name in errors for name in names.values()):
        return None
    flag: dict[str, Any] = {"status": raw["status"], "side": raw["side"]}
    if mm is not None:
        flag["difference_mm"] = mm
    try:
        validate_findings({"indicators": [], "anatomical_short_leg": flag})
    except FindingsError as error:
        for _path, message in error.errors:
            errors[names["mm"]] = f"Anatomical short leg: difference {message}."
        return None
    return flag


def cmrt_rows_of(state: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The CMRT findings of a stored state as (version-2 rows, rows kept under the old layout).

    A state saved before the version-2 layout holds ``line``/``position`` rows; they are mapped
    with the engine's ``map_v1_cmrt_entry`` on the fly, so a signed note (whose stored state may
    never change) reads the same as a migrated draft.
    """
    current, old = [], list(state.get("cmrt_old") or [])
    for row in state.get("cmrt") or []:
        if isinstance(row, Mapping) and "position" in row:
            migrated = map_v1_cmrt_entry(row)
            if migrated.finding is None:
                old.append(dict(migrated.old_entry))
            else:
                current.append(migrated.finding.as_dict())
        else:
            current.append(dict(row))
    return current, old


def _parse_cmrt(
    data, fields: ExamFields, errors: dict[str, str], area_levels: Mapping[int, str] | None
) -> list[dict[str, Any]]:
    rows = []
    for index in range(MAX_CMRT_ROWS):
        raw = {part: _text(data, fields.cmrt(index, part)) for part in CMRT_PARTS}
        if not any(raw.values()):
            continue
        row_errors = {}
        line = _choice_int(raw["line"], (1, 2, 3))
        area = _choice_int(raw["area"], CMRT_AREAS)
        if line is None:
            row_errors["line"] = "CMRT: choose the line (1 meningeal, 2 reflex arc, 3 structural)."
        if area is None:
            row_errors["area"] = f"CMRT: choose an area ({CMRT_AREAS[0]}–{CMRT_AREAS[-1]})."
        if raw["side"] not in LATERAL_SIDES:
            row_errors["side"] = "CMRT: choose left or right (each side has its own areas)."
        if raw["level"] and raw["level"] not in VERTEBRAL_LEVELS:
            row_errors["level"] = "CMRT: choose a vertebral level such as T5."
        if len(raw["reflex"]) > MAX_TEXT:
            row_errors["reflex"] = f"CMRT: keep the reflex area under {MAX_TEXT} characters."
        if raw["trapezius"] not in TRAPEZIUS_CHOICES:
            row_errors["trapezius"] = "CMRT: choose confirmed, not confirmed or not checked."
        if not raw["level"] and area is not None and area_levels is None:
            # Read the clinic's table only when a row needs it: most exams record no CMRT.
            area_levels = current_cmrt_area_levels()
        level = raw["level"] or (area_level(area, area_levels) if area is not None else None)
        if not row_errors and raw["trapezius"] and level is None:
            row_errors["trapezius"] = (
                "CMRT: the trapezius reflex is checked at a vertebral level; choose the level."
            )
        if row_errors:
            errors.update({fields.cmrt(index, part): msg for part, msg in row_errors.items()})
            continue
        reflex = raw["reflex"] or None
        if reflex is None and level is not None:
            known = reflex_area_for_level(level)
            reflex = known.reflex_area if known else None
        rows.append(
            {
                "line": line,
                "area": area,
                "side": raw["side"],
                "vertebral_level": level,
                "reflex_area": reflex,
                "trapezius_confirmed": TRAPEZIUS_CHOICES[raw["trapezius"]],
            }
        )
    return rows


def _parse_rc_factors(data, fields: ExamFields, errors: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for index in range(MAX_RC_ROWS):
        raw = {part: _text(data, fields.rc(index, part)) for part in RC_PARTS}
        if not any(raw.values()):
            continue
        if raw["pair"] not in RC_PAIRS:
            errors[fields.rc(index, "pair")] = "R+C factor: choose a pair from the list."
        if raw["side"] not in SIDES:
            errors[fields.rc(index, "side")] = "R+C factor: choose left, right or bilateral."
        if len(raw["response"]) > MAX_TEXT:
            errors[fields.rc(index, "response")] = (
                f"R+C factor: keep the response under {MAX_TEXT} characters."
            )
        if any(fields.rc(index, part) in errors for part in RC_PARTS):
            continue
        rows.append({"pair": raw["pair"], "side": raw["side"], "response": raw["response"] or None})
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
    data: Mapping[str, Any],
    prefix: str = "exam",
    area_levels: Mapping[int, str] | None = None,
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Read the exam state from posted form data.

    A CMRT row without a level takes its area's level from ``area_levels`` (default: the clinic's
    table in force), and the state stores that level, so a later edit of the table never changes
    what an exam recorded.

    Returns ``(state, errors)``. ``state`` is None when the data holds no field of this exam
    form. ``errors`` maps form field names to messages for a person; when it is not empty the
    state holds only the valid parts, so the form can be shown again with the messages, and the
    caller should not store it.
    """
    if not has_exam_fields(data, prefix):
        return None, {}
    fields = ExamFields(prefix)
    errors: dict[str, str] = {}
    # No field of the exam form is longer than a note; NUL can never be stored.
    refuse_bad_text(
        data,
        [key for key in data if isinstance(key, str) and key.startswith(f"{prefix}-")],
        errors,
        limit=MAX_NOTE,
    )
    findings: dict[str, Any] = {"indicators": _parse_indicators(data, fields, errors)}
    checks = _parse_leg_checks(data, fields, errors)
    leg = _parse_leg_length(data, fields, errors)
    if checks:
        findings["leg_checks"] = checks
    elif leg is not None:
        # A draft saved with the single prone check keeps it until the checks are recorded.
        findings["leg_length"] = leg
    anatomical = _parse_anatomical(data, fields, errors)
    if anatomical is not None:
        findings["anatomical_short_leg"] = anatomical
    positive = [entry["code"] for entry in findings["indicators"]]
    state = {
        "findings": findings,
        "recheck": _parse_recheck(data, fields, positive, errors),
        "cmrt": _parse_cmrt(data, fields, errors, area_levels),
        "rc_factors": _parse_rc_factors(data, fields, errors),
        "cranial": _parse_cranial(data, fields, errors),
        "screening": parse_screening(data, fields.screening, errors),
    }
    return state, errors
