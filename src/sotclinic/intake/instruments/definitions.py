"""Turns questionnaire definition data (JSON) into checked, immutable instrument objects.

Every rule a definition must satisfy is checked here, so that a malformed file (a missing MCID
source, a score range that does not match the items, an unknown scoring function) stops the
engine at load time instead of producing a wrong score in front of a patient.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, cast

from .model import (
    AnswerOption,
    AnswerSpec,
    DefinitionError,
    Direction,
    Instrument,
    Item,
    Licence,
    Mcid,
    MissingItemsRule,
    NotShipped,
    RecallPeriod,
    ScoringRule,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DIRECTIONS: tuple[Direction, ...] = ("higher_is_worse", "higher_is_better")

#: The missing-item policies each scoring function understands (see scoring.py).
MISSING_POLICIES: Mapping[str, tuple[str, ...]] = {
    "count_ticked": ("unticked_is_zero",),
    "single_item": ("required",),
    "sum_items": ("required", "mean_impute", "percent_of_answered"),
    "sleep_diary": ("required",),
}

#: The items a sleep diary's scoring needs, by role; the definition maps each role to an item.
SLEEP_DIARY_ROLES: Mapping[str, str] = {
    "into_bed": "time",
    "tried_to_sleep": "time",
    "onset_minutes": "integer",
    "awakenings": "integer",
    "awake_minutes": "integer",
    "final_awakening": "time",
    "out_of_bed": "time",
}


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: must be an object")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where}.{key}: must be a non-empty string")
    return value


def _int(entry: Mapping[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{where}.{key}: must be a whole number")
    return value


def _number_or_none(entry: Mapping[str, Any], key: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DefinitionError(f"{where}.{key}: must be a positive number or null")
    return float(value)


def _identifier(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(entry, key, where)
    if not _ID.match(value):
        raise DefinitionError(f"{where}.{key}: {value!r} is not a snake_case identifier")
    return value


def _list(entry: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = entry.get(key)
    if not isinstance(value, list) or not value:
        raise DefinitionError(f"{where}.{key}: must be a non-empty list")
    return value


def _complaints(entry: Mapping[str, Any], where: str, known: frozenset[str]) -> tuple[str, ...]:
    values = _list(entry, "complaints", where)
    for value in values:
        if value not in known:
            raise DefinitionError(
                f"{where}.complaints: {value!r} is not one of {', '.join(sorted(known))}"
            )
    return tuple(values)


def _answer(raw: Any, where: str) -> AnswerSpec:
    spec = _obj(raw, where)
    kind = spec.get("type")
    if kind == "tick":
        return AnswerSpec(type="tick")
    if kind == "time":
        return AnswerSpec(type="time")
    if kind == "integer":
        low, high = _int(spec, "min", where), _int(spec, "max", where)
        if low >= high:
            raise DefinitionError(f"{where}: min must be below max")
        anchors_raw = _obj(spec.get("anchors", {}), f"{where}.anchors")
        anchors: list[tuple[int, str]] = []
        for key, label in anchors_raw.items():
            if not key.lstrip("-").isdigit() or not low <= int(key) <= high:
                raise DefinitionError(f"{where}.anchors: {key!r} is not a value in the range")
            if not isinstance(label, str) or not label.strip():
                raise DefinitionError(f"{where}.anchors.{key}: must be a non-empty string")
            anchors.append((int(key), label))
        return AnswerSpec(type="integer", minimum=low, maximum=high, anchors=tuple(anchors))
    if kind == "choice":
        options: list[AnswerOption] = []
        for index, option_raw in enumerate(_list(spec, "options", where)):
            option_where = f"{where}.options[{index}]"
            option = _obj(option_raw, option_where)
            options.append(
                AnswerOption(
                    value=_int(option, "value", option_where),
                    label=_text(option, "label", option_where),
                )
            )
        values = [option.value for option in options]
        if len(set(values)) != len(values):
            raise DefinitionError(f"{where}.options: values must be unique")
        return AnswerSpec(
            type="choice", minimum=min(values), maximum=max(values), options=tuple(options)
        )
    raise DefinitionError(f"{where}.type: must be 'tick', 'integer', 'choice' or 'time'")


def _items(raw: Mapping[str, Any], where: str) -> tuple[Item, ...]:
    items: list[Item] = []
    for index, item_raw in enumerate(_list(raw, "items", where)):
        item_where = f"{where}.items[{index}]"
        entry = _obj(item_raw, item_where)
        items.append(
            Item(
                id=_identifier(entry, "id", item_where),
                text=_text(entry, "text", item_where),
                answer=_answer(entry.get("answer"), f"{item_where}.answer"),
            )
        )
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{where}.items: item ids must be unique")
    return tuple(items)


def _mcid(raw: Any, where: str) -> Mcid:
    entry = _obj(raw, where)
    applicable = entry.get("applicable")
    if not isinstance(applicable, bool):
        raise DefinitionError(f"{where}.applicable: must be true or false")
    points = _number_or_none(entry, "points", where)
    percent = _number_or_none(entry, "percent", where)
    if applicable and points is None and percent is None:
        raise DefinitionError(f"{where}: an applicable MCID needs points and/or percent")
    if not applicable and (points is not None or percent is not None):
        raise DefinitionError(f"{where}: an MCID marked not applicable must not carry values")
    return Mcid(
        applicable=applicable,
        points=points,
        percent=percent,
        source=_text(entry, "source", where),
        notes=_text(entry, "notes", where),
    )


def _licence(raw: Any, where: str) -> Licence:
    entry = _obj(raw, where)
    if entry.get("free_to_embed") is not True:
        # Only item text that may be embedded free of charge is shipped; anything else belongs
        # in not_shipped.json with the route to a licence.
        raise DefinitionError(f"{where}.free_to_embed: a shipped instrument must be free to embed")
    return Licence(
        free_to_embed=True,
        holder=_text(entry, "holder", where),
        basis=_text(entry, "basis", where),
        url=_text(entry, "url", where),
        verification=_text(entry, "verification", where),
    )


def _check_scoring(
    scoring: ScoringRule,
    missing: MissingItemsRule,
    items: tuple[Item, ...],
    score_min: float,
    score_max: float,
    where: str,
) -> None:
    """Refuse a definition whose declared score range or policy disagrees with its items."""
    allowed = MISSING_POLICIES.get(scoring.function)
    if allowed is None:
        raise DefinitionError(
            f"{where}.scoring.function: unknown function {scoring.function!r}; "
            f"known: {', '.join(sorted(MISSING_POLICIES))}"
        )
    if missing.policy not in allowed:
        raise DefinitionError(
            f"{where}.missing_items.policy: {scoring.function} supports {', '.join(allowed)}"
        )
    if scoring.function == "sleep_diary":
        by_id = {item.id: item for item in items}
        roles = scoring.parameters.get("items")
        if not isinstance(roles, Mapping) or set(roles) != set(SLEEP_DIARY_ROLES):
            raise DefinitionError(
                f"{where}.scoring.parameters.items: must map {', '.join(SLEEP_DIARY_ROLES)}"
            )
        for role, kind in SLEEP_DIARY_ROLES.items():
            item = by_id.get(roles[role])
            if item is None or item.answer.type != kind:
                raise DefinitionError(
                    f"{where}.scoring.parameters.items.{role}: must name a {kind} item"
                )
        # The score is the sleep efficiency, a percentage.
        expected = (0.0, 100.0)
    elif scoring.function == "count_ticked":
        if any(item.answer.type != "tick" for item in items):
            raise DefinitionError(f"{where}: count_ticked needs tick items only")
        expected = (0.0, float(len(items)))
    elif scoring.function == "single_item":
        item_id = scoring.parameters.get("item")
        matches = [item for item in items if item.id == item_id]
        if len(items) != 1 or not matches or matches[0].answer.type in ("tick", "time"):
            raise DefinitionError(
                f"{where}.scoring.parameters.item: must name the only, numeric item"
            )
        answer = matches[0].answer
        expected = (float(cast(int, answer.minimum)), float(cast(int, answer.maximum)))
    else:  # sum_items
        if any(item.answer.type in ("tick", "time") for item in items):
            raise DefinitionError(f"{where}: sum_items needs numeric items")
        as_percent = scoring.parameters.get("as_percent", False)
        if not isinstance(as_percent, bool):
            raise DefinitionError(f"{where}.scoring.parameters.as_percent: must be true or false")
        if missing.policy == "percent_of_answered" and not as_percent:
            raise DefinitionError(f"{where}: percent_of_answered needs as_percent true")
        if as_percent:
            expected = (0.0, 100.0)
        else:
            expected = (
                float(sum(cast(int, item.answer.minimum) for item in items)),
                float(sum(cast(int, item.answer.maximum) for item in items)),
            )
    if missing.max_missing and missing.policy not in ("mean_impute", "percent_of_answered"):
        raise DefinitionError(f"{where}.missing_items.max_missing: only for imputing policies")
    if missing.max_missing >= len(items):
        raise DefinitionError(f"{where}.missing_items.max_missing: must leave an item answered")
    if (score_min, score_max) != expected:
        raise DefinitionError(
            f"{where}.score_range: {score_min:g}..{score_max:g} does not match the items "
            f"and scoring ({expected[0]:g}..{expected[1]:g})"
        )


def parse_instrument(raw: Any, where: str, complaints: frozenset[str]) -> Instrument:
    """Build a checked Instrument from one definition (the parsed JSON of one data file).

    ``complaints`` is the set of known complaint ids. Raises DefinitionError naming the field.
    Public so that a clinic holding a licence for another instrument can load its definition.
    """
    entry = _obj(raw, where)
    version = _int(entry, "version", where)
    if version < 1:
        raise DefinitionError(f"{where}.version: must be 1 or more")
    items = _items(entry, where)

    scoring_raw = _obj(entry.get("scoring"), f"{where}.scoring")
    parameters = scoring_raw.get("parameters", {})
    if not isinstance(parameters, Mapping):
        raise DefinitionError(f"{where}.scoring.parameters: must be an object")
    scoring = ScoringRule(
        function=_text(scoring_raw, "function", f"{where}.scoring"),
        parameters=dict(parameters),
        rule=_text(scoring_raw, "rule", f"{where}.scoring"),
        source=_text(scoring_raw, "source", f"{where}.scoring"),
    )
    missing_raw = _obj(entry.get("missing_items"), f"{where}.missing_items")
    max_missing = missing_raw.get("max_missing", 0)
    if isinstance(max_missing, bool) or not isinstance(max_missing, int) or max_missing < 0:
        raise DefinitionError(f"{where}.missing_items.max_missing: must be a whole number >= 0")
    missing = MissingItemsRule(
        policy=_text(missing_raw, "policy", f"{where}.missing_items"),
        rule=_text(missing_raw, "rule", f"{where}.missing_items"),
        source=_text(missing_raw, "source", f"{where}.missing_items"),
        max_missing=max_missing,
    )
    range_raw = _obj(entry.get("score_range"), f"{where}.score_range")
    bounds = (range_raw.get("min"), range_raw.get("max"))
    if any(isinstance(b, bool) or not isinstance(b, int | float) for b in bounds):
        raise DefinitionError(f"{where}.score_range: min and max must be numbers")
    score_min, score_max = float(cast(float, bounds[0])), float(cast(float, bounds[1]))
    _check_scoring(scoring, missing, items, score_min, score_max, where)

    direction = entry.get("direction")
    if direction not in _DIRECTIONS:
        raise DefinitionError(f"{where}.direction: must be one of {', '.join(_DIRECTIONS)}")
    references = _list(entry, "references", where)
    if not all(isinstance(ref, str) and ref.strip() for ref in references):
        raise DefinitionError(f"{where}.references: every reference must be a non-empty string")
    notes = entry.get("notes", "")
    if not isinstance(notes, str):
        raise DefinitionError(f"{where}.notes: must be a string")
    recall_periods, recall_source = _recall(entry, items, where)
    return Instrument(
        id=_identifier(entry, "id", where),
        version=version,
        title=_text(entry, "title", where),
        short_title=_text(entry, "short_title", where),
        language=_text(entry, "language", where),
        complaints=_complaints(entry, where, complaints),
        construct=_text(entry, "construct", where),
        instructions=_text(entry, "instructions", where),
        items=items,
        scoring=scoring,
        missing_items=missing,
        score_min=score_min,
        score_max=score_max,
        direction=cast(Direction, direction),
        mcid=_mcid(entry.get("mcid"), f"{where}.mcid"),
        licence=_licence(entry.get("licence"), f"{where}.licence"),
        references=tuple(references),
        notes=notes,
        recall_periods=recall_periods,
        recall_source=recall_source,
    )


def _recall(
    entry: Mapping[str, Any], items: tuple[Item, ...], where: str
) -> tuple[tuple[RecallPeriod, ...], str]:
    """Optional recall periods: each with its own instructions and item wording, and a source
    saying why these periods are offered."""
    raw = entry.get("recall_periods")
    if raw is None:
        return (), ""
    block = _obj(raw, f"{where}.recall_periods")
    source = _text(block, "source", f"{where}.recall_periods")
    periods: list[RecallPeriod] = []
    item_ids = {item.id for item in items}
    for index, period_raw in enumerate(_list(block, "periods", f"{where}.recall_periods")):
        period_where = f"{where}.recall_periods.periods[{index}]"
        period = _obj(period_raw, period_where)
        texts = _obj(period.get("item_texts"), f"{period_where}.item_texts")
        if set(texts) != item_ids or not all(
            isinstance(t, str) and t.strip() for t in texts.values()
        ):
            raise DefinitionError(f"{period_where}.item_texts: must word every item")
        periods.append(
            RecallPeriod(
                id=_text(period, "id", period_where),
                label=_text(period, "label", period_where),
                instructions=_text(period, "instructions", period_where),
                item_texts=tuple((item.id, texts[item.id]) for item in items),
            )
        )
    ids = [period.id for period in periods]
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{where}.recall_periods: ids must be unique")
    return tuple(periods), source


def parse_not_shipped(raw: Any, where: str, complaints: frozenset[str]) -> tuple[NotShipped, ...]:
    """Build the catalogue of instruments that exist but whose item text is not shipped."""
    entries = _list(_obj(raw, where), "instruments", where)
    result: list[NotShipped] = []
    for index, entry_raw in enumerate(entries):
        entry_where = f"{where}.instruments[{index}]"
        entry = _obj(entry_raw, entry_where)
        result.append(
            NotShipped(
                id=_identifier(entry, "id", entry_where),
                title=_text(entry, "title", entry_where),
                complaints=_complaints(entry, entry_where, complaints),
                holder=_text(entry, "holder", entry_where),
                why_not_shipped=_text(entry, "why_not_shipped", entry_where),
                how_to_license=_text(entry, "how_to_license", entry_where),
                reference=_text(entry, "reference", entry_where),
                sources_checked=_text(entry, "sources_checked", entry_where),
            )
        )
    ids = [entry.id for entry in result]
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{where}: not-shipped ids must be unique")
    return tuple(result)


def read_data_files() -> dict[str, Any]:
    """Every JSON file in this package's ``data`` folder, parsed, keyed by file name.

    importlib.resources keeps this working from an installed wheel or a zip.
    """
    folder = resources.files("sotclinic.intake.instruments").joinpath("data")
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda path: path.name)
        if entry.name.endswith(".json")
    }
