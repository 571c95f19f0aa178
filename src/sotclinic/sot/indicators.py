"""The indicator registry: every SOT indicator code with its category, sides and source.

The registry lives in ``data/indicators.json`` so the rules stay data, each entry carrying its
citation. Codes are stable; a new code may be added, an existing one never changes meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, cast

from ._data import load_json
from .vocabulary import CATEGORIES, SIDES, Category, Side

_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    """One SOT indicator: a named finding that corroborates a category."""

    code: str
    label: str
    category: Category
    sides: tuple[Side, ...]
    examination: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain JSON data (same shape as the data file)."""
        return {
            "code": self.code,
            "label": self.label,
            "category": self.category,
            "sides": list(self.sides),
            "examination": self.examination,
            "source": self.source,
        }


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}.{key}: must be a non-empty string")
    return value


def parse_indicators(raw: Any) -> dict[str, Indicator]:
    """Turn the data file's content into indicators, refusing anything malformed.

    A broken registry must stop the engine at import rather than produce wrong suggestions.
    """
    if not isinstance(raw, Mapping) or not isinstance(raw.get("indicators"), list):
        raise ValueError("indicators.json: must be an object with an 'indicators' list")
    registry: dict[str, Indicator] = {}
    for index, entry in enumerate(raw["indicators"]):
        where = f"indicators[{index}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be an object")
        code = _text(entry, "code", where)
        if not _CODE_PATTERN.match(code):
            raise ValueError(f"{where}.code: must be snake_case, got {code!r}")
        if code in registry:
            raise ValueError(f"{where}.code: duplicate code {code!r}")
        category = entry.get("category")
        if category not in CATEGORIES:
            raise ValueError(f"{where}.category: must be one of {', '.join(CATEGORIES)}")
        sides = entry.get("sides")
        if (
            not isinstance(sides, list)
            or not sides
            or any(side not in SIDES for side in sides)
            or len(set(sides)) != len(sides)
        ):
            raise ValueError(f"{where}.sides: must be a non-empty list drawn from {SIDES}")
        registry[code] = Indicator(
            code=code,
            label=_text(entry, "label", where),
            category=cast(Category, category),
            # Keep the canonical order (left, right, bilateral) whatever the file's order.
            sides=tuple(side for side in SIDES if side in sides),
            examination=_text(entry, "examination", where),
            source=_text(entry, "source", where),
        )
    return registry


INDICATORS: Final[Mapping[str, Indicator]] = MappingProxyType(
    parse_indicators(load_json("indicators.json"))
)

# Registry order (category I first, then file order) drives every sorted list the engine returns.
INDICATOR_ORDER: Final[Mapping[str, int]] = MappingProxyType(
    {
        indicator.code: position
        for position, indicator in enumerate(
            sorted(INDICATORS.values(), key=lambda i: CATEGORIES.index(i.category))
        )
    }
)


def get_indicator(code: str) -> Indicator:
    """The indicator with this code; raises KeyError for an unknown code."""
    return INDICATORS[code]


def indicators_in_category(category: Category) -> tuple[Indicator, ...]:
    """The indicators that corroborate one category, in registry order."""
    return tuple(
        indicator
        for indicator in sorted(INDICATORS.values(), key=lambda i: INDICATOR_ORDER[i.code])
        if indicator.category == category
    )
