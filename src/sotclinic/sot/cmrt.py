"""The CMRT table: occipital fiber (line, position) → vertebral level → visceral reflex area.

Two layouts live here side by side. The version-1 API (``cmrt_fiber``, ``cmrt_lookup`` …) reads a
fiber by line and position and stays unchanged, so records made with it still render. The
version-2 layout (``CmrtFinding``, ``validate_cmrt_finding``, ``map_v1_cmrt_entry``) is CMRT as
SOT teaches it: three occipital lines × seven areas per side, where the line is the *kind* of
finding (line 1 meningeal / CSF-pressure, line 2 reflex arc, line 3 structural) and the vertebral
level belongs to the area; a confirming trapezius reflex is recorded at the same level.

CMRT (Chiropractic Manipulative Reflex Technique) is the organ-related part of SOT. The practitioner
records the fiber line, position and side, the vertebral level treated and the reflex area. The
table lives in ``data/cmrt.json``. Only associations found in a public source are filled in; the
rest are ``None`` with a note saying so, rather than guessed. The table records what SOT teaches;
it claims nothing about whether the associations hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from ._data import load_json
from .errors import FindingsError, json_type_name
from .vocabulary import LATERAL_SIDES, Lateral

VERTEBRAL_LEVELS: Final[tuple[str, ...]] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    *(f"S{n}" for n in range(1, 6)),
)
_LEVEL_PATTERN = re.compile(r"^(C[1-7]|T([1-9]|1[0-2])|L[1-5]|S[1-5])$")


@dataclass(frozen=True)
class CmrtFiber:
    """An occipital fiber position and the vertebral level SOT links it to (None if unsourced)."""

    line: int
    position: int
    vertebral_level: str | None
    source: str


@dataclass(frozen=True)
class CmrtReflexArea:
    """A vertebral level and the visceral reflex area SOT associates with it."""

    vertebral_level: str
    reflex_area: str
    source: str


@dataclass(frozen=True)
class CmrtLookup:
    """Everything the table says about one fiber: level and area may be None (not sourced)."""

    line: int
    position: int
    vertebral_level: str | None
    reflex_area: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class _CmrtTable:
    lines: tuple[int, ...]
    positions: tuple[int, ...]
    layout_source: str
    fibers: Mapping[tuple[int, int], CmrtFiber]
    areas: Mapping[str, CmrtReflexArea]


def _non_empty(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: must be a non-empty string")
    return value


def parse_cmrt(raw: Any) -> _CmrtTable:
    """Check and index the data file; a malformed table stops the import."""
    layout = raw["layout"]
    lines = tuple(layout["lines"])
    positions = tuple(layout["positions"])
    fibers: dict[tuple[int, int], CmrtFiber] = {}
    for index, entry in enumerate(raw["fibers"]):
        where = f"cmrt.fibers[{index}]"
        key = (entry["line"], entry["position"])
        if entry["line"] not in lines or entry["position"] not in positions or key in fibers:
            raise ValueError(f"{where}: line/position outside the layout or duplicated")
        level = entry["vertebral_level"]
        if level is not None and not _LEVEL_PATTERN.match(level):
            raise ValueError(f"{where}.vertebral_level: not a vertebral level: {level!r}")
        fibers[key] = CmrtFiber(*key, level, _non_empty(entry["source"], f"{where}.source"))
    if set(fibers) != {(line, pos) for line in lines for pos in positions}:
        raise ValueError("cmrt.fibers: every line and position of the layout needs an entry")
    areas: dict[str, CmrtReflexArea] = {}
    for index, entry in enumerate(raw["reflex_areas"]):
        where = f"cmrt.reflex_areas[{index}]"
        level = entry["vertebral_level"]
        if not _LEVEL_PATTERN.match(level) or level in areas:
            raise ValueError(f"{where}.vertebral_level: invalid or duplicated: {level!r}")
        areas[level] = CmrtReflexArea(
            level,
            _non_empty(entry["reflex_area"], f"{where}.reflex_area"),
            _non_empty(entry["source"], f"{where}.source"),
        )
    return _CmrtTable(
        lines,
        positions,
        _non_empty(layout["source"], "cmrt.layout.source"),
        MappingProxyType(fibers),
        MappingProxyType(areas),
    )


_TABLE: Final = parse_cmrt(load_json("cmrt.json"))
CMRT_LINES: Final[tuple[int, ...]] = _TABLE.lines
CMRT_POSITIONS: Final[tuple[int, ...]] = _TABLE.positions
CMRT_LAYOUT_SOURCE: Final[str] = _TABLE.layout_source


def cmrt_fibers() -> tuple[CmrtFiber, ...]:
    """Every fiber position of the layout, by line then position."""
    return tuple(_TABLE.fibers[key] for key in sorted(_TABLE.fibers))


def cmrt_reflex_areas() -> tuple[CmrtReflexArea, ...]:
    """Every sourced level → reflex area association, in spinal order."""
    return tuple(_TABLE.areas[level] for level in VERTEBRAL_LEVELS if level in _TABLE.areas)


def cmrt_fiber(line: int, position: int) -> CmrtFiber:
    """The table entry for one fiber; ValueError when line or position is outside the layout."""
    fiber = _TABLE.fibers.get((line, position))
    if fiber is None:
        raise ValueError(
            f"no occipital fiber at line {line!r}, position {position!r}; lines are "
            f"{CMRT_LINES[0]}-{CMRT_LINES[-1]}, positions {CMRT_POSITIONS[0]}-{CMRT_POSITIONS[-1]}"
        )
    return fiber


def reflex_area_for_level(vertebral_level: str) -> CmrtReflexArea | None:
    """The reflex area SOT associates with a level, or None when no source was found for it."""
    return _TABLE.areas.get(vertebral_level)


def cmrt_lookup(line: int, position: int) -> CmrtLookup:
    """Fiber → level → area in one step; unsourced links come back as None."""
    fiber = cmrt_fiber(line, position)
    area = reflex_area_for_level(fiber.vertebral_level) if fiber.vertebral_level else None
    sources = (fiber.source,) + ((area.source,) if area else ())
    return CmrtLookup(
        line,
        position,
        fiber.vertebral_level,
        area.reflex_area if area else None,
        sources,
    )


# --- Version-2 layout -------------------------------------------------------------------------

CmrtLineKind = Literal["meningeal", "reflex_arc", "structural"]
CMRT_LINE_KINDS: Final[tuple[CmrtLineKind, ...]] = ("meningeal", "reflex_arc", "structural")
CMRT_AREAS: Final[tuple[int, ...]] = tuple(range(1, 8))
CMRT_FINDING_FIELDS: Final = (
    "line",
    "area",
    "side",
    "vertebral_level",
    "reflex_area",
    "trapezius_confirmed",
)
MAX_REFLEX_AREA_TEXT: Final = 200
OLD_LAYOUT_LABEL: Final = "recorded under the old layout"


@dataclass(frozen=True)
class OccipitalLine:
    """One occipital line and the kind of finding it stands for."""

    line: int
    kind: CmrtLineKind
    label: str
    source: str


@dataclass(frozen=True)
class CmrtArea:
    """One of the seven areas along a line and its vertebral level (None: not sourced)."""

    area: int
    vertebral_level: str | None
    source: str


def _parse_layout_v2(
    raw: Any,
) -> tuple[Mapping[int, OccipitalLine], Mapping[int, CmrtArea], str, str]:
    lines: dict[int, OccipitalLine] = {}
    for index, entry in enumerate(raw["occipital_lines"]):
        where = f"cmrt.occipital_lines[{index}]"
        if entry["line"] not in (1, 2, 3) or entry["line"] in lines:
            raise ValueError(f"{where}.line: must be 1, 2 or 3, each once")
        if entry["kind"] != CMRT_LINE_KINDS[entry["line"] - 1]:
            raise ValueError(
                f"{where}.kind: line {entry['line']} is {CMRT_LINE_KINDS[entry['line'] - 1]}"
            )
        lines[entry["line"]] = OccipitalLine(
            entry["line"],
            entry["kind"],
            _non_empty(entry["label"], f"{where}.label"),
            _non_empty(entry["source"], f"{where}.source"),
        )
    if set(lines) != {1, 2, 3}:
        raise ValueError("cmrt.occipital_lines: lines 1, 2 and 3 are all needed")
    areas: dict[int, CmrtArea] = {}
    for index, entry in enumerate(raw["areas"]):
        where = f"cmrt.areas[{index}]"
        if entry["area"] not in CMRT_AREAS or entry["area"] in areas:
            raise ValueError(f"{where}.area: must be 1 to 7, each once")
        level = entry["vertebral_level"]
        if level is not None and not _LEVEL_PATTERN.match(level):
            raise ValueError(f"{where}.vertebral_level: not a vertebral level: {level!r}")
        areas[entry["area"]] = CmrtArea(
            entry["area"], level, _non_empty(entry["source"], f"{where}.source")
        )
    if set(areas) != set(CMRT_AREAS):
        raise ValueError("cmrt.areas: areas 1 to 7 are all needed")
    return (
        MappingProxyType(lines),
        MappingProxyType(areas),
        _non_empty(raw["trapezius"]["source"], "cmrt.trapezius.source"),
        _non_empty(raw["notes_v2"], "cmrt.notes_v2"),
    )


_RAW = load_json("cmrt.json")
OCCIPITAL_LINES, CMRT_AREA_TABLE, TRAPEZIUS_SOURCE, CMRT_V2_NOTES = _parse_layout_v2(_RAW)


def validate_area_levels(raw: object) -> dict[int, str]:
    """A clinic's own area → vertebral level table, e.g. ``{"3": "T5"}``, checked.

    The shipped areas have no level (none is sourced), so the levels are the clinic's to fill in
    from the SOTO CMRT manual. Raises ``FindingsError`` naming the area at fault.
    """
    if not isinstance(raw, Mapping):
        raise FindingsError([("area_levels", f"must be an object, not {json_type_name(raw)}")])
    levels: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    for key, level in raw.items():
        area = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(area, bool) or area not in CMRT_AREAS:
            problems.append(("area_levels", f"unknown area {key!r}; areas are 1 to 7"))
        elif not isinstance(level, str) or not _LEVEL_PATTERN.match(level):
            problems.append((f"area_levels.{area}", "must be a vertebral level such as T5"))
        else:
            levels[cast(int, area)] = level
    if problems:
        raise FindingsError(problems)
    return levels


def area_level(area: int, clinic_levels: Mapping[int, str] | None = None) -> str | None:
    """The vertebral level of an area: the clinic's entry, else the shipped one (None so far)."""
    if clinic_levels and area in clinic_levels:
        return clinic_levels[area]
    entry = CMRT_AREA_TABLE.get(area)
    return entry.vertebral_level if entry else None


def _finding_problems(
    line: object,
    area: object,
    side: object,
    level: object,
    reflex_area: object,
    trapezius: object,
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if isinstance(line, bool) or not isinstance(line, int) or line not in (1, 2, 3):
        problems.append(("line", "must be 1 (meningeal), 2 (reflex arc) or 3 (structural)"))
    if isinstance(area, bool) or not isinstance(area, int) or area not in CMRT_AREAS:
        problems.append(("area", "must be a whole number from 1 to 7"))
    if side not in LATERAL_SIDES:
        problems.append(("side", "must be one of left, right (each side has its own areas)"))
    if level is not None and (not isinstance(level, str) or not _LEVEL_PATTERN.match(level)):
        problems.append(("vertebral_level", "must be a vertebral level such as T5, or null"))
    if reflex_area is not None and (
        not isinstance(reflex_area, str)
        or not reflex_area.strip()
        or len(reflex_area) > MAX_REFLEX_AREA_TEXT
    ):
        problems.append(
            ("reflex_area", f"must be text of 1 to {MAX_REFLEX_AREA_TEXT} characters, or null")
        )
    if trapezius is not None and not isinstance(trapezius, bool):
        problems.append(("trapezius_confirmed", "must be true, false or null (not checked)"))
    elif trapezius is not None and level is None:
        problems.append(
            (
                "trapezius_confirmed",
                "needs the vertebral_level: the trapezius reflex is checked at that level",
            )
        )
    return problems


@dataclass(frozen=True)
class CmrtFinding:
    """One CMRT finding in the version-2 layout.

    ``line`` is the kind of finding (see ``OCCIPITAL_LINES``), ``area`` the place along the line
    (1-7) on one ``side``; ``vertebral_level`` and ``reflex_area`` are what the practitioner
    treated and recorded; ``trapezius_confirmed`` is the trapezius reflex at that same level
    (None: not checked).
    """

    line: int
    area: int
    side: Lateral
    vertebral_level: str | None = None
    reflex_area: str | None = None
    trapezius_confirmed: bool | None = None

    def __post_init__(self) -> None:
        problems = _finding_problems(
            self.line,
            self.area,
            self.side,
            self.vertebral_level,
            self.reflex_area,
            self.trapezius_confirmed,
        )
        if problems:
            raise FindingsError(problems)

    @property
    def kind(self) -> CmrtLineKind:
        return OCCIPITAL_LINES[self.line].kind

    def as_dict(self) -> dict[str, Any]:
        """The finding as stored and sent (same field names as ``validate_cmrt_finding`` reads)."""
        return {
            "line": self.line,
            "area": self.area,
            "side": self.side,
            "vertebral_level": self.vertebral_level,
            "reflex_area": self.reflex_area,
            "trapezius_confirmed": self.trapezius_confirmed,
        }


def validate_cmrt_finding(raw: object, where: str = "cmrt") -> CmrtFinding:
    """Check one version-2 CMRT finding; ``FindingsError`` names each field at fault."""
    if not isinstance(raw, Mapping):
        raise FindingsError([(where, f"must be an object, not {json_type_name(raw)}")])
    problems = [
        (where, f"unknown field {key!r}; allowed: {', '.join(CMRT_FINDING_FIELDS)}")
        for key in raw
        if key not in CMRT_FINDING_FIELDS
    ]
    for required in ("line", "area", "side"):
        if required not in raw:
            problems.append((f"{where}.{required}", "is required"))
    values = [raw.get(field) for field in CMRT_FINDING_FIELDS]
    problems += [
        (f"{where}.{field}", message)
        for field, message in _finding_problems(*values)
        if field not in ("line", "area", "side") or field in raw
    ]
    if problems:
        raise FindingsError(problems)
    return CmrtFinding(*values)  # type: ignore[arg-type]


def validate_cmrt_findings(raw: object, where: str = "cmrt") -> tuple[CmrtFinding, ...]:
    """Check a list of version-2 CMRT findings, naming each problem as ``cmrt[1].side``."""
    if not isinstance(raw, list | tuple):
        raise FindingsError([(where, f"must be a list, not {json_type_name(raw)}")])
    findings: list[CmrtFinding] = []
    problems: list[tuple[str, str]] = []
    for index, entry in enumerate(raw):
        try:
            findings.append(validate_cmrt_finding(entry, f"{where}[{index}]"))
        except FindingsError as error:
            problems += error.errors
    if problems:
        raise FindingsError(problems)
    return tuple(findings)


@dataclass(frozen=True)
class CmrtMigration:
    """What became of one version-1 CMRT entry: a version-2 finding, or the entry kept as it was."""

    finding: CmrtFinding | None
    old_entry: Mapping[str, Any]
    reason: str | None = None

    @property
    def kept_under_old_layout(self) -> bool:
        return self.finding is None

    @property
    def label(self) -> str | None:
        """``recorded under the old layout`` for an entry that could not map, else None."""
        return OLD_LAYOUT_LABEL if self.finding is None else None


def map_v1_cmrt_entry(entry: object) -> CmrtMigration:
    """Map one CMRT entry stored with the version-1 layout onto the version-2 shape.

    A version-1 entry is ``{"line", "position", "side", "level", "area"}`` (as the exam screen
    stores it). The mapping, documented in ``data/cmrt.json`` (``notes_v2``): line → line (the
    lines are the same three occipital lines, upper to lower), position → area (both 1-7 along
    the line), side → side, level → vertebral_level, area → reflex_area; the trapezius
    confirmation was not recorded then, so it is None. An entry that cannot map — a
    ``bilateral`` side, which the per-side layout has no place for, or anything malformed — is
    returned unchanged with the reason, to be shown as "recorded under the old layout". Never
    raises; the old entry is never lost.
    """
    if not isinstance(entry, Mapping):
        return CmrtMigration(None, {"value": entry}, "not an object")
    kept = dict(entry)
    if entry.get("side") == "bilateral":
        return CmrtMigration(None, kept, "recorded on both sides; version 2 records each side")
    level = entry.get("level") or None
    area = entry.get("area") or None
    try:
        finding = CmrtFinding(
            line=entry.get("line"),  # type: ignore[arg-type]
            area=entry.get("position"),  # type: ignore[arg-type]
            side=entry.get("side"),  # type: ignore[arg-type]
            vertebral_level=level,
            reflex_area=area,
        )
    except FindingsError as error:
        return CmrtMigration(None, kept, str(error))
    return CmrtMigration(finding, kept)
