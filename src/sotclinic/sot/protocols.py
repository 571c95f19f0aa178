"""The block-placement table: per category the patient position and, per side, the blocks.

The default lives in ``data/protocols.json`` with a source beside every entry. Practitioners
differ and SOT has evolved, so a clinic can store its own table (for example in the database)
and pass it to ``analyze``; ``ProtocolTable.from_dict`` checks such a table and raises
``ProtocolTableError`` naming each field at fault.

Table shape::

    {"format": 1, "notes": "...",
     "categories": {
       "I": {"position": "prone", "position_source": "...",
             "blocks_keyed_by": "short_leg_side", "blocks_keyed_by_source": "...",
             "blocks": {"left":  [{"side": "left", "landmark": "...", "angle_degrees": 45,
                                   "source": "..."}, ...],
                        "right": [...]}},
       "II": {...}, "III": {...}}}

``blocks`` is keyed by a reference side: with ``blocks_keyed_by: short_leg_side`` the key is the
prone short-leg side recorded at the visit (falling back to the side of the findings when none is
recorded); with ``finding_side`` it is the side of the category's findings. Each block names the
side it goes under, so a table can place blocks on either or both sides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from ._data import load_json
from .errors import ProtocolTableError, json_type_name
from .vocabulary import CATEGORIES, LATERAL_SIDES, POSITIONS, Category, Lateral, Position

BlocksKeyedBy = Literal["short_leg_side", "finding_side"]
BLOCKS_KEYED_BY: Final[tuple[BlocksKeyedBy, ...]] = ("short_leg_side", "finding_side")
TABLE_FORMAT: Final = 1
MAX_BLOCKS_PER_SIDE: Final = 4
MAX_TEXT: Final = 2000

_TABLE_FIELDS: Final = ("format", "notes", "categories")
_CATEGORY_FIELDS: Final = (
    "position",
    "position_source",
    "blocks_keyed_by",
    "blocks_keyed_by_source",
    "blocks",
    "notes",
)
_BLOCK_FIELDS: Final = ("side", "landmark", "angle_degrees", "source")


@dataclass(frozen=True)
class Block:
    """One padded wedge: the side it goes under, the landmark, its angle and the source."""

    side: Lateral
    landmark: str
    angle_degrees: int | float
    source: str

    def as_dict(self) -> dict[str, Any]:
        """The block as JSON data, in the field order of the API response."""
        return {
            "side": self.side,
            "landmark": self.landmark,
            "angle_degrees": self.angle_degrees,
            "source": self.source,
        }


@dataclass(frozen=True)
class CategoryProtocol:
    """How one category is blocked."""

    position: Position
    position_source: str
    blocks_keyed_by: BlocksKeyedBy
    blocks_keyed_by_source: str
    blocks: Mapping[Lateral, tuple[Block, ...]]
    notes: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The category entry as JSON data (same shape as the data file)."""
        entry: dict[str, Any] = {
            "position": self.position,
            "position_source": self.position_source,
            "blocks_keyed_by": self.blocks_keyed_by,
            "blocks_keyed_by_source": self.blocks_keyed_by_source,
            "blocks": {
                side: [block.as_dict() for block in self.blocks[side]] for side in LATERAL_SIDES
            },
        }
        if self.notes is not None:
            entry["notes"] = self.notes
        return entry


@dataclass(frozen=True)
class ProtocolTable:
    """Block placement for categories I, II and III; immutable once built."""

    categories: Mapping[Category, CategoryProtocol]
    notes: str | None = None

    @classmethod
    def from_dict(cls, raw: object) -> ProtocolTable:
        """Build a table from plain data (a clinic override or the data file).

        Raises ``ProtocolTableError`` listing every problem with its path, e.g.
        ``categories.II.blocks.left[0].angle_degrees: must be a number from 0 to 90``.
        """
        return validate_protocol_table(raw)

    def as_dict(self) -> dict[str, Any]:
        """The table as plain JSON data; ``from_dict(as_dict())`` gives an equal table."""
        table: dict[str, Any] = {"format": TABLE_FORMAT}
        if self.notes is not None:
            table["notes"] = self.notes
        table["categories"] = {
            category: self.categories[category].as_dict() for category in CATEGORIES
        }
        return table

    def category(self, category: Category) -> CategoryProtocol:
        """The entry for one category."""
        return self.categories[category]

    def mirror_mismatches(self) -> list[str]:
        """Places where the right-side entry is not the mirror of the left-side entry.

        Not an error (a clinic may choose asymmetric placement), but worth showing on a settings
        page, since SOT places blocks by side symmetrically.
        """
        mismatches = []
        for category in CATEGORIES:
            blocks = self.categories[category].blocks
            mirrored = tuple(
                Block(
                    "right" if block.side == "left" else "left",
                    block.landmark,
                    block.angle_degrees,
                    block.source,
                )
                for block in blocks["left"]
            )
            if mirrored != blocks["right"]:
                mismatches.append(
                    f"categories.{category}.blocks: the right entry is not the mirror of the left"
                )
        return mismatches


def _text(raw: Mapping[str, Any], key: str, where: str, problems: list) -> str:
    value = raw.get(key)
    if key not in raw:
        problems.append((f"{where}.{key}", "is required"))
    elif not isinstance(value, str) or not value.strip():
        problems.append((f"{where}.{key}", "must be a non-empty string"))
    elif len(value) > MAX_TEXT:
        problems.append((f"{where}.{key}", f"must be at most {MAX_TEXT} characters"))
    else:
        return value
    return ""


def _optional_text(raw: Mapping[str, Any], key: str, where: str, problems: list) -> str | None:
    if raw.get(key) is None:
        return None
    return _text(raw, key, where, problems)


def _unknown(raw: Mapping[Any, Any], allowed: tuple[str, ...], where: str, problems: list) -> None:
    for key in raw:
        if key not in allowed:
            problems.append((where, f"unknown field {key!r}; allowed: {', '.join(allowed)}"))


def _block(raw: object, where: str, problems: list) -> Block | None:
    if not isinstance(raw, Mapping):
        problems.append((where, f"must be an object, not {json_type_name(raw)}"))
        return None
    before = len(problems)
    _unknown(raw, _BLOCK_FIELDS, where, problems)
    side = raw.get("side")
    if side not in LATERAL_SIDES:
        problems.append((f"{where}.side", "must be one of left, right"))
    landmark = _text(raw, "landmark", where, problems)
    angle = raw.get("angle_degrees")
    if (
        isinstance(angle, bool)
        or not isinstance(angle, int | float)
        or not math.isfinite(angle)
        or not 0 <= angle <= 90
    ):
        problems.append((f"{where}.angle_degrees", "must be a number from 0 to 90"))
    source = _text(raw, "source", where, problems)
    if len(problems) > before:
        return None
    return Block(cast(Lateral, side), landmark, cast(int | float, angle), source)


def _category(raw: object, where: str, problems: list) -> CategoryProtocol | None:
    if not isinstance(raw, Mapping):
        problems.append((where, f"must be an object, not {json_type_name(raw)}"))
        return None
    before = len(problems)
    _unknown(raw, _CATEGORY_FIELDS, where, problems)
    position = raw.get("position")
    if position not in POSITIONS:
        problems.append((f"{where}.position", f"must be one of {', '.join(POSITIONS)}"))
    position_source = _text(raw, "position_source", where, problems)
    keyed_by = raw.get("blocks_keyed_by")
    if keyed_by not in BLOCKS_KEYED_BY:
        problems.append(
            (f"{where}.blocks_keyed_by", f"must be one of {', '.join(BLOCKS_KEYED_BY)}")
        )
    keyed_by_source = _text(raw, "blocks_keyed_by_source", where, problems)
    notes = _optional_text(raw, "notes", where, problems)
    blocks: dict[Lateral, tuple[Block, ...]] = {}
    raw_blocks = raw.get("blocks")
    if not isinstance(raw_blocks, Mapping) or set(raw_blocks) != set(LATERAL_SIDES):
        problems.append((f"{where}.blocks", "must be an object with exactly 'left' and 'right'"))
    else:
        for side in LATERAL_SIDES:
            side_where = f"{where}.blocks.{side}"
            entries = raw_blocks[side]
            if not isinstance(entries, list):
                problems.append((side_where, f"must be a list, not {json_type_name(entries)}"))
                continue
            if len(entries) > MAX_BLOCKS_PER_SIDE:
                problems.append((side_where, f"must hold at most {MAX_BLOCKS_PER_SIDE} blocks"))
                continue
            parsed = [
                _block(entry, f"{side_where}[{i}]", problems) for i, entry in enumerate(entries)
            ]
            blocks[side] = tuple(block for block in parsed if block is not None)
    if len(problems) > before:
        return None
    return CategoryProtocol(
        position=cast(Position, position),
        position_source=position_source,
        blocks_keyed_by=cast(BlocksKeyedBy, keyed_by),
        blocks_keyed_by_source=keyed_by_source,
        blocks=MappingProxyType(blocks),
        notes=notes,
    )


def validate_protocol_table(raw: object) -> ProtocolTable:
    """Check a table given as plain data and build it; see ``ProtocolTable.from_dict``."""
    if not isinstance(raw, Mapping):
        raise ProtocolTableError([("table", f"must be an object, not {json_type_name(raw)}")])
    problems: list[tuple[str, str]] = []
    _unknown(raw, _TABLE_FIELDS, "table", problems)
    table_format = raw.get("format", TABLE_FORMAT)
    if isinstance(table_format, bool) or table_format != TABLE_FORMAT:
        problems.append(("format", f"must be {TABLE_FORMAT}"))
    notes = _optional_text(raw, "notes", "table", problems)
    categories: dict[Category, CategoryProtocol] = {}
    raw_categories = raw.get("categories")
    if not isinstance(raw_categories, Mapping):
        problems.append(("categories", "must be an object with entries I, II and III"))
    else:
        missing = [c for c in CATEGORIES if c not in raw_categories]
        extra = [c for c in raw_categories if c not in CATEGORIES]
        if missing:
            problems.append(("categories", f"missing {', '.join(missing)}"))
        for key in extra:
            problems.append(("categories", f"unknown category {key!r}; allowed: I, II, III"))
        for category in CATEGORIES:
            if category in raw_categories:
                entry = _category(raw_categories[category], f"categories.{category}", problems)
                if entry is not None:
                    categories[category] = entry
    if problems:
        raise ProtocolTableError(problems)
    return ProtocolTable(categories=MappingProxyType(categories), notes=notes)


@cache
def default_protocol_table() -> ProtocolTable:
    """The table shipped with sotclinic (``data/protocols.json``); built once, immutable."""
    return validate_protocol_table(load_json("protocols.json"))
