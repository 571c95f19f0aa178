"""SOT certification bodies and the levels each of them awards, as data with their sources.

A practitioner's certification is a body and one of that body's own levels (the names differ:
SOTO Europe's "Advanced SOT Proficiency" is not SOTO Australasia's "Advanced"), so the pair is
checked here and, for the database, by a constraint built from the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.db.models import Q


@dataclass(frozen=True)
class Level:
    id: str
    name: str


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    parent: str | None
    levels: tuple[Level, ...]
    source: str

    def level(self, level_id: str) -> Level | None:
        return next((level for level in self.levels if level.id == level_id), None)


@cache
def bodies() -> tuple[Body, ...]:
    """Every body in the data file, parent first."""
    raw = json.loads(
        resources.files("sotclinic.scheduling")
        .joinpath("data/certification_bodies.json")
        .read_text()
    )
    return tuple(
        Body(
            id=entry["id"],
            name=entry["name"],
            parent=entry["parent"],
            levels=tuple(Level(level["id"], level["name"]) for level in entry["levels"]),
            source=entry["source"],
        )
        for entry in raw["bodies"]
    )


def certifying_bodies() -> tuple[Body, ...]:
    """The bodies a practitioner can be certified by (those that award levels)."""
    return tuple(body for body in bodies() if body.levels)


def body(body_id: str) -> Body | None:
    return next((b for b in bodies() if b.id == body_id), None)


def body_choices() -> list[tuple[str, str]]:
    return [(b.id, b.name) for b in certifying_bodies()]


def level_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Levels grouped by body, for a select box."""
    return [(b.name, [(level.id, level.name) for level in b.levels]) for b in certifying_bodies()]


def certification_problem(body_id: str, level_id: str) -> str | None:
    """Why this body and level cannot be recorded together, in words for the person editing;
    None when they can (both empty is "no certification recorded")."""
    if not body_id and not level_id:
        return None
    if not body_id:
        return "Choose the body that awarded this level."
    found = body(body_id)
    if found is None or not found.levels:
        return "Choose one of the certifying bodies listed."
    if not level_id:
        return f"Choose the level {found.name} awarded."
    if found.level(level_id) is None:
        names = ", ".join(level.name for level in found.levels)
        return f"{found.name} awards these levels: {names}."
    return None


def display(body_id: str, level_id: str) -> str:
    """ "SOTO Europe: Advanced SOT Proficiency", or "" when none is recorded or the pair is
    not valid."""
    found = body(body_id)
    level = found.level(level_id) if found else None
    return f"{found.name}: {level.name}" if found and level else ""


def valid_pairs_condition() -> Q:
    """The database form of the rule: no certification, or a body with one of its levels."""
    condition = Q(certification_body="", certification_level="")
    for b in certifying_bodies():
        condition |= Q(certification_body=b.id, certification_level__in=[lv.id for lv in b.levels])
    return condition
