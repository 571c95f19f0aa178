"""Precautions: conditions that change how a practitioner positions and treats a patient.

A separate tier from red flags: a precaution never sends the patient elsewhere. No models and
no requests; its texts follow the active language (``sotclinic.data_text``). The table
(``data/precautions.json``) holds each precaution's intake question, what it means for
positioning and which set-up positions it bears on, with its quoted sources.

Typical use::

    table = default_precautions()
    table["pregnancy"].bears_on("supine", weeks=24)   # True: from 20 weeks
    table["pregnancy"].bears_on("supine", weeks=12)   # False
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sotclinic.data_text import DataTextError, declared_languages, read_text

DATA_FILE = Path(__file__).parent / "data" / "precautions.json"
MAX_PREGNANCY_WEEKS = 42


class PrecautionTableError(ValueError):
    """The precautions table is malformed; the message names the entry."""


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str
    quote: str
    secondary: bool


@dataclass(frozen=True)
class PositionRule:
    position: str
    from_weeks: int | None
    sources: tuple[str, ...]
    unverified: str


@dataclass(frozen=True)
class Precaution:
    code: str
    label: str
    question: str
    asks_weeks: bool
    positioning: str
    positions: tuple[PositionRule, ...]
    sources: tuple[Source, ...]

    def bears_on(self, position: str | None, weeks: int | None = None) -> bool:
        """Whether this precaution bears on a set-up in ``position`` (e.g. "supine").

        A rule with a week threshold applies from that week on; with the weeks unknown it
        applies, because the practitioner must then ask rather than assume.
        """
        for rule in self.positions:
            if rule.position != position:
                continue
            if rule.from_weeks is None or weeks is None or weeks >= rule.from_weeks:
                return True
        return False

    def describe(self, weeks: int | None = None) -> str:
        """The short words a screen shows, e.g. "24 weeks pregnant", in the page's language."""
        from django.utils.translation import gettext, ngettext

        if self.code == "pregnancy" and weeks is not None:
            return ngettext("%(weeks)d week pregnant", "%(weeks)d weeks pregnant", weeks) % {
                "weeks": weeks
            }
        if self.code == "pregnancy":
            return gettext("Pregnant (weeks not given)")
        return self.label


def parse_precautions(raw: dict[str, Any]) -> dict[str, Precaution]:
    """Build the table from its JSON form; every entry must cite at least one known source."""
    try:
        languages = declared_languages(raw, "precautions.json")
    except DataTextError as error:
        raise PrecautionTableError(str(error)) from None

    def words(entry: dict[str, Any], key: str) -> str:
        try:
            return read_text(entry.get(key), f"precaution {entry['code']!r}.{key}", languages)
        except DataTextError as error:
            raise PrecautionTableError(str(error)) from None

    sources = {}
    for item in raw.get("sources", []):
        if not item.get("quote") or not item.get("citation"):
            raise PrecautionTableError(f"source {item.get('id')!r}: citation and quote needed")
        sources[item["id"]] = Source(
            item["id"], item["citation"], item.get("url", ""), item["quote"], item["secondary"]
        )
    table: dict[str, Precaution] = {}
    for entry in raw.get("precautions", []):
        code = entry["code"]
        if not entry.get("sources"):
            raise PrecautionTableError(f"precaution {code!r}: no source")
        unknown = [s for s in entry["sources"] if s not in sources]
        rules = []
        for rule in entry.get("positions", []):
            unknown += [s for s in rule["sources"] if s not in sources]
            if not rule["sources"] and not rule.get("unverified"):
                raise PrecautionTableError(
                    f"precaution {code!r}, {rule['position']}: no source and not marked unverified"
                )
            rules.append(
                PositionRule(
                    rule["position"],
                    rule.get("from_weeks"),
                    tuple(rule["sources"]),
                    rule.get("unverified", ""),
                )
            )
        if unknown:
            raise PrecautionTableError(f"precaution {code!r}: unknown source {unknown[0]!r}")
        table[code] = Precaution(
            code=code,
            label=words(entry, "label"),
            question=words(entry, "question"),
            asks_weeks=bool(entry.get("asks_weeks")),
            positioning=words(entry, "positioning"),
            positions=tuple(rules),
            sources=tuple(sources[s] for s in entry["sources"]),
        )
    return table


@lru_cache(maxsize=1)
def default_precautions() -> dict[str, Precaution]:
    """The shipped table, in the order the intake asks it."""
    return parse_precautions(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def red_flag_answers_from_history(history: dict[str, Any]) -> dict[str, str]:
    """Red-flag answers that the history step already gives, so they are not asked twice.

    The headache screen asks about pregnancy or a birth in the last 6 weeks; the history step
    asks both for every complaint, so its answers stand in for that question.
    """
    pregnant, postpartum = history.get("pregnant"), history.get("postpartum")
    if pregnant is None and postpartum is None:
        return {}
    if "yes" in (pregnant, postpartum):
        return {"hd_pregnant": "yes"}
    return {"hd_pregnant": "no"}


__all__ = [
    "MAX_PREGNANCY_WEEKS",
    "Precaution",
    "PrecautionTableError",
    "default_precautions",
    "parse_precautions",
    "red_flag_answers_from_history",
]
