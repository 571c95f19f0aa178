"""The CMRT area-levels settings form: fields ↔ the engine's ``{"3": "T5"}`` shape and errors.

The engine (``validate_area_levels``) stays the only judge of a valid table; this module only
names the fields and puts each error the engine names (``area_levels.3``) next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sotclinic.sot import CMRT_AREAS, VERTEBRAL_LEVELS, reflex_area_for_level

VERSION_FIELD: Final = "cmrt-version"
SUBMIT_FIELD: Final = "save_cmrt"


def area_field(area: int) -> str:
    return f"cmrt-area-{area}"


def levels_from_values(values: Mapping[str, Any]) -> dict[str, str]:
    """The table the form describes; an area left blank has no level."""
    levels = {}
    for area in CMRT_AREAS:
        level = str(values.get(area_field(area), "")).strip()
        if level:
            levels[str(area)] = level
    return levels


def field_for_error_path(path: str) -> str | None:
    """The form field an engine error path (``area_levels.3``) belongs to, else None."""
    prefix = "area_levels."
    if path.startswith(prefix) and path[len(prefix) :].isdigit():
        return area_field(int(path[len(prefix) :]))
    return None


def form_rows(levels: Mapping[Any, str], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per area: its field, the level shown, and the reflex area a source names for it."""
    rows = []
    for area in CMRT_AREAS:
        name = area_field(area)
        level = levels.get(area) or levels.get(str(area)) or ""
        known = reflex_area_for_level(level) if level in VERTEBRAL_LEVELS else None
        rows.append(
            {
                "area": area,
                "name": name,
                "value": level,
                "error": errors.get(name),
                "reflex_area": known.reflex_area if known else None,
            }
        )
    return rows


LEVEL_CHOICES: Final = VERTEBRAL_LEVELS
