"""The protocol-table settings form: table ↔ form fields, and the engine's errors ↔ fields.

The engine (``ProtocolTable.from_dict``) stays the only judge of a valid table; this module only
turns form fields into the table's JSON shape and puts each error the engine names
(``categories.II.blocks.left[0].angle_degrees``) next to the field it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from sotclinic.sot import CATEGORIES, LATERAL_SIDES, POSITIONS, ProtocolTable
from sotclinic.sot.protocols import BLOCKS_KEYED_BY, MAX_BLOCKS_PER_SIDE

BLOCK_PARTS: Final = ("side", "landmark", "angle_degrees", "source")
_PATH = re.compile(
    r"^categories\.(?P<cat>I|II|III)\."
    r"(?:blocks\.(?P<side>left|right)(?:\[(?P<row>\d+)\](?:\.(?P<part>\w+))?)?|(?P<field>\w+))$"
)


def category_field(category: str, part: str) -> str:
    return f"{category}-{part}"


def block_field(category: str, side: str, row: int, part: str) -> str:
    return f"{category}-{side}-{row}-{part}"


def values_from_table(table: ProtocolTable) -> dict[str, str]:
    """The form's initial values for a table."""
    values: dict[str, str] = {}
    for category in CATEGORIES:
        entry = table.category(category)
        values[category_field(category, "position")] = entry.position
        values[category_field(category, "blocks_keyed_by")] = entry.blocks_keyed_by
        for side in LATERAL_SIDES:
            for row, block in enumerate(entry.blocks[side]):
                for part, value in block.as_dict().items():
                    values[block_field(category, side, row, part)] = str(value)
    return values


def _angle(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text or None  # the engine answers "must be a number from 0 to 90"
    return int(value) if value.is_integer() else value


def table_from_values(
    values: Mapping[str, Any], base: ProtocolTable
) -> tuple[dict[str, Any], dict[tuple[str, str, int], int]]:
    """The table the form describes, built on ``base`` (whose sources and notes it keeps).

    Returns the table as plain data and, per category and side, which form row each block came
    from (blank rows are left out, so the engine's indices can differ from the form's).
    """
    raw = base.as_dict()
    rows_of: dict[tuple[str, str, int], int] = {}
    for category in CATEGORIES:
        entry = raw["categories"][category]
        entry["position"] = str(values.get(category_field(category, "position"), "")).strip()
        entry["blocks_keyed_by"] = str(
            values.get(category_field(category, "blocks_keyed_by"), "")
        ).strip()
        for side in LATERAL_SIDES:
            blocks = []
            for row in range(MAX_BLOCKS_PER_SIDE):
                parts = {
                    part: str(values.get(block_field(category, side, row, part), "")).strip()
                    for part in BLOCK_PARTS
                }
                if not (parts["landmark"] or parts["angle_degrees"] or parts["source"]):
                    continue
                rows_of[(category, side, len(blocks))] = row
                blocks.append({**parts, "angle_degrees": _angle(parts["angle_degrees"])})
            entry["blocks"][side] = blocks
    return raw, rows_of


def field_for_error_path(path: str, rows_of: Mapping[tuple[str, str, int], int]) -> str | None:
    """The form field an engine error path belongs to, or None for table-wide problems."""
    match = _PATH.match(path)
    if not match:
        return None
    category = match["cat"]
    if match["field"]:
        return category_field(category, match["field"])
    side = match["side"]
    if match["row"] is None:
        return f"{category}-{side}"
    row = rows_of.get((category, side, int(match["row"])), int(match["row"]))
    return block_field(category, side, row, match["part"] or "landmark")


def form_view(values: Mapping[str, Any], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """What the settings template lays out: a card per category, block rows per side."""
    cards = []
    for category in CATEGORIES:
        sides = []
        for side in LATERAL_SIDES:
            rows = []
            for row in range(MAX_BLOCKS_PER_SIDE):
                names = {part: block_field(category, side, row, part) for part in BLOCK_PARTS}
                rows.append(
                    {
                        "number": row + 1,
                        "names": names,
                        "values": {part: values.get(name, "") for part, name in names.items()},
                        "errors": {p: errors[n] for p, n in names.items() if n in errors},
                    }
                )
            sides.append({"side": side, "rows": rows, "error": errors.get(f"{category}-{side}")})
        position = category_field(category, "position")
        keyed_by = category_field(category, "blocks_keyed_by")
        cards.append(
            {
                "category": category,
                "position": {
                    "name": position,
                    "value": values.get(position, ""),
                    "error": errors.get(position),
                },
                "keyed_by": {
                    "name": keyed_by,
                    "value": values.get(keyed_by, ""),
                    "error": errors.get(keyed_by),
                },
                "sides": sides,
            }
        )
    return cards


POSITION_CHOICES: Final = POSITIONS
KEYED_BY_CHOICES: Final = (
    ("short_leg_side", _("the prone short-leg side (else the findings' side)")),
    ("finding_side", _("the side of the findings")),
)
assert tuple(key for key, _ in KEYED_BY_CHOICES) == BLOCKS_KEYED_BY
