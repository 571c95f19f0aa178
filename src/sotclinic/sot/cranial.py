"""Cranial findings and procedures that a visit records by name, side and response.

The list lives in ``data/cranial.json``, each item with the SOT source that names it, together
with the evidence statement (``CRANIAL_EVIDENCE``) that any screen listing them should show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from ._data import load_json
from .vocabulary import SIDES, Side

CranialKind = Literal["finding", "procedure"]


@dataclass(frozen=True)
class CranialItem:
    """A named cranial finding or procedure; ``sides`` is empty for midline items."""

    code: str
    name: str
    kind: CranialKind
    sides: tuple[Side, ...]
    source: str


def parse_cranial(raw: Any) -> dict[str, CranialItem]:
    """Check the data file; a malformed list stops the import."""
    items: dict[str, CranialItem] = {}
    for index, entry in enumerate(raw["items"]):
        where = f"cranial.items[{index}]"
        code = entry["code"]
        if not isinstance(code, str) or not code or code in items:
            raise ValueError(f"{where}.code: missing or duplicated")
        if entry["kind"] not in ("finding", "procedure"):
            raise ValueError(f"{where}.kind: must be finding or procedure")
        sides = entry["sides"]
        if any(side not in SIDES for side in sides) or len(set(sides)) != len(sides):
            raise ValueError(f"{where}.sides: must be drawn from {SIDES}")
        for key in ("name", "source"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise ValueError(f"{where}.{key}: must be a non-empty string")
        items[code] = CranialItem(
            code=code,
            name=entry["name"],
            kind=cast(CranialKind, entry["kind"]),
            sides=tuple(side for side in SIDES if side in sides),
            source=entry["source"],
        )
    return items


CRANIAL_ITEMS: Final[Mapping[str, CranialItem]] = MappingProxyType(
    parse_cranial(load_json("cranial.json"))
)


def get_cranial_item(code: str) -> CranialItem:
    """The cranial item with this code; raises KeyError for an unknown code."""
    return CRANIAL_ITEMS[code]


@dataclass(frozen=True)
class EvidenceStatement:
    """A plain statement of the evidence, with the source it rests on."""

    statement: str
    source: str


def parse_cranial_evidence(raw: Any) -> EvidenceStatement:
    """The evidence statement of the data file; a missing one stops the import."""
    entry = raw["evidence"]
    for key in ("statement", "source"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ValueError(f"cranial.evidence.{key}: must be a non-empty string")
    return EvidenceStatement(entry["statement"], entry["source"])


CRANIAL_EVIDENCE: Final[EvidenceStatement] = parse_cranial_evidence(load_json("cranial.json"))
