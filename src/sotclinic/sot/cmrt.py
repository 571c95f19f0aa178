"""The CMRT table: occipital fiber (line, position) → vertebral level → visceral reflex area.

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
from typing import Any, Final

from ._data import load_json

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
