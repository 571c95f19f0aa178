"""The red-flag table: questions, rules and sources, read from ``data/*.json`` and checked.

The table is data so that every rule sits next to its source and a reviewer can read it without
reading code. Loading refuses anything inconsistent (a rule without a source, a rule that uses a
question not asked for its complaint, a question no rule uses) so that a broken table stops the
intake at start-up rather than silently missing a flag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from sotclinic.data_text import DataTextError, declared_languages, read_text

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ANY_REGION = "any"
_AGE_TESTS = ("age_over", "age_under", "age_at_least")


class RedFlagError(ValueError):
    """Bad input to the screen (unknown question, invalid answer, age or complaint), or a
    malformed red-flag table. The message names what is wrong."""


@dataclass(frozen=True)
class Source:
    """A publication or guideline behind one or more rules."""

    id: str
    citation: str
    url: str
    used_for: str
    # The passage read, so a reviewer can check the rule against the source's own words.
    quote: str = ""
    # True when the source reports someone else's work (a summary, not the original).
    secondary: bool = False


@dataclass(frozen=True)
class Question:
    """A yes / no / unsure question for the patient, in plain language."""

    id: str
    text: str
    label: str
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Severity:
    """How urgent a flag is, and what the practitioner is asked to do.

    ``patient_advice`` is what the patient is told at once when a flag of this severity is
    found (empty: nothing beyond the usual "we will go through it at your visit").
    """

    id: str
    rank: int
    label: str
    action: str
    patient_advice: str = ""
    patient_advice_sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Rule:
    """Maps answers (and possibly age) to a flag, with a practitioner-facing explanation."""

    id: str
    title: str
    regions: tuple[str, ...]
    severity: Severity
    when: Mapping[str, Any]
    explanation: str
    sources: tuple[Source, ...]
    # What the patient is told at once when this urgent rule fires, in place of the
    # severity's general advice (e.g. where to get help after a self-harm answer).
    patient_advice: str = ""
    patient_advice_sources: tuple[Source, ...] = ()

    def applies_to(self, complaints: frozenset[str]) -> bool:
        """True when any of ``complaints`` is one of the rule's regions."""
        return ANY_REGION in self.regions or bool(complaints.intersection(self.regions))


@dataclass(frozen=True)
class RedFlagTable:
    """The whole checked table."""

    version: int
    complaints: tuple[str, ...]
    answers: tuple[str, ...]
    caveat: str
    caveat_sources: tuple[Source, ...]
    severities: Mapping[str, Severity]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    sources: Mapping[str, Source]

    def question(self, question_id: str) -> Question:
        """The question with this id; RedFlagError if there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise RedFlagError(f"Unknown red-flag question {question_id!r}")


def condition_questions(condition: Mapping[str, Any]) -> tuple[str, ...]:
    """Every question id a rule condition refers to, in order of appearance."""
    if "answer" in condition:
        return (condition["answer"],)
    for key in ("all", "any"):
        if key in condition:
            found: list[str] = []
            for part in condition[key]:
                found.extend(q for q in condition_questions(part) if q not in found)
            return tuple(found)
    return ()


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RedFlagError(f"{where}: must be an object")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RedFlagError(f"{where}.{key}: must be a non-empty string")
    return value


def _words(entry: Mapping[str, Any], key: str, where: str, languages: frozenset[str]) -> str:
    """A text people read: English, or English with its declared translations."""
    try:
        return read_text(entry.get(key), f"{where}.{key}", languages)
    except DataTextError as error:
        raise RedFlagError(str(error)) from None


def _languages(data_file: Mapping[str, Any], where: str) -> frozenset[str]:
    try:
        return declared_languages(data_file, where)
    except DataTextError as error:
        raise RedFlagError(str(error)) from None


def _ident(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(entry, key, where)
    if not _ID.match(value):
        raise RedFlagError(f"{where}.{key}: {value!r} is not a snake_case identifier")
    return value


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RedFlagError(f"{where}.{key}: must be a non-empty list of strings")
    if len(set(value)) != len(value):
        raise RedFlagError(f"{where}.{key}: must not repeat an entry")
    return tuple(value)


def _check_condition(condition: Any, where: str, questions: Mapping[str, Question]) -> None:
    """A condition is {answer: id}, {all: [...]}, {any: [...]} or an age test, nothing else."""
    node = _obj(condition, where)
    if len(node) != 1:
        raise RedFlagError(f"{where}: a condition has exactly one key")
    ((key, value),) = node.items()
    if key == "answer":
        if value not in questions:
            raise RedFlagError(f"{where}.answer: unknown question {value!r}")
    elif key in ("all", "any"):
        if not isinstance(value, list) or len(value) < 2:
            raise RedFlagError(f"{where}.{key}: must list at least two conditions")
        for index, part in enumerate(value):
            _check_condition(part, f"{where}.{key}[{index}]", questions)
    elif key in _AGE_TESTS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 130:
            raise RedFlagError(f"{where}.{key}: must be an age in years")
    else:
        raise RedFlagError(f"{where}: unknown condition {key!r}")


def parse_table(sources_raw: Any, questions_raw: Any, rules_raw: Any) -> RedFlagTable:
    """Build a checked RedFlagTable from the three data files' parsed JSON."""
    sources: dict[str, Source] = {}
    for index, raw in enumerate(_obj(sources_raw, "sources.json").get("sources") or []):
        where = f"sources.json.sources[{index}]"
        entry = _obj(raw, where)
        secondary = entry.get("secondary", False)
        if not isinstance(secondary, bool):
            raise RedFlagError(f"{where}.secondary: must be true or false")
        source = Source(
            id=_ident(entry, "id", where),
            citation=_text(entry, "citation", where),
            url=_text(entry, "url", where),
            used_for=_text(entry, "used_for", where),
            quote=_text(entry, "quote", where) if "quote" in entry else "",
            secondary=secondary,
        )
        if source.id in sources:
            raise RedFlagError(f"{where}.id: {source.id!r} is defined twice")
        sources[source.id] = source
    if not sources:
        raise RedFlagError("sources.json: must list sources")

    questions_file = _obj(questions_raw, "questions.json")
    question_languages = _languages(questions_file, "questions.json")
    complaints = _strings(questions_file, "complaints", "questions.json")
    answers = _strings(questions_file, "answers", "questions.json")
    if set(answers) != {"yes", "no", "unsure"}:
        raise RedFlagError("questions.json.answers: must be yes, no and unsure")
    questions: dict[str, Question] = {}
    for index, raw in enumerate(questions_file.get("questions") or []):
        where = f"questions.json.questions[{index}]"
        entry = _obj(raw, where)
        regions = _strings(entry, "regions", where)
        for region in regions:
            if region != ANY_REGION and region not in complaints:
                raise RedFlagError(f"{where}.regions: unknown region {region!r}")
        question = Question(
            id=_ident(entry, "id", where),
            text=_words(entry, "text", where, question_languages),
            label=_words(entry, "label", where, question_languages),
            regions=regions,
        )
        if question.id in questions:
            raise RedFlagError(f"{where}.id: {question.id!r} is defined twice")
        questions[question.id] = question

    rules_file = _obj(rules_raw, "rules.json")
    version = rules_file.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RedFlagError("rules.json.version: must be a whole number >= 1")
    rule_languages = _languages(rules_file, "rules.json")

    def resolve_sources(ids: Sequence[str], where: str) -> tuple[Source, ...]:
        for source_id in ids:
            if source_id not in sources:
                raise RedFlagError(f"{where}: unknown source {source_id!r}")
        return tuple(sources[source_id] for source_id in ids)

    severities: dict[str, Severity] = {}
    for severity_id, raw in _obj(rules_file.get("severities"), "rules.json.severities").items():
        where = f"rules.json.severities.{severity_id}"
        entry = _obj(raw, where)
        rank = entry.get("rank")
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise RedFlagError(f"{where}.rank: must be a whole number")
        advice, advice_sources = "", ()
        # The most urgent severity must tell the patient what to do now, with its source.
        if rank == 0 or "patient_advice" in entry:
            advice = _words(entry, "patient_advice", where, rule_languages)
            advice_sources = resolve_sources(
                _strings(entry, "patient_advice_sources", where),
                f"{where}.patient_advice_sources",
            )
        severities[severity_id] = Severity(
            severity_id,
            rank,
            _words(entry, "label", where, rule_languages),
            _words(entry, "action", where, rule_languages),
            advice,
            advice_sources,
        )

    rules: list[Rule] = []
    used_questions: set[str] = set()
    for index, raw in enumerate(rules_file.get("rules") or []):
        where = f"rules.json.rules[{index}]"
        entry = _obj(raw, where)
        rule_id = _ident(entry, "id", where)
        where = f"rules.json.{rule_id}"
        regions = _strings(entry, "regions", where)
        for region in regions:
            if region != ANY_REGION and region not in complaints:
                raise RedFlagError(f"{where}.regions: unknown region {region!r}")
        severity_id = entry.get("severity")
        if severity_id not in severities:
            raise RedFlagError(f"{where}.severity: must be one of {', '.join(severities)}")
        _check_condition(entry.get("when"), f"{where}.when", questions)
        # A rule may only use questions that are asked for every one of its regions;
        # otherwise the rule could never see an answer for some complaints.
        for question_id in condition_questions(entry["when"]):
            question = questions[question_id]
            for region in regions:
                if ANY_REGION not in question.regions and region not in question.regions:
                    raise RedFlagError(
                        f"{where}.when: question {question_id!r} is not asked for {region!r}"
                    )
            used_questions.add(question_id)
        advice, advice_sources = "", ()
        if "patient_advice" in entry or "patient_advice_sources" in entry:
            # Only an urgent rule reaches the patient at once; advice elsewhere would be unseen.
            if severities[str(severity_id)].rank != 0:
                raise RedFlagError(
                    f"{where}.patient_advice: only a rule of the most urgent severity has its own"
                )
            advice = _words(entry, "patient_advice", where, rule_languages)
            advice_sources = resolve_sources(
                _strings(entry, "patient_advice_sources", where),
                f"{where}.patient_advice_sources",
            )
        rules.append(
            Rule(
                id=rule_id,
                title=_words(entry, "title", where, rule_languages),
                regions=regions,
                severity=severities[str(severity_id)],
                when=entry["when"],
                explanation=_words(entry, "explanation", where, rule_languages),
                sources=resolve_sources(_strings(entry, "sources", where), f"{where}.sources"),
                patient_advice=advice,
                patient_advice_sources=advice_sources,
            )
        )
    if len({rule.id for rule in rules}) != len(rules):
        raise RedFlagError("rules.json: rule ids must be unique")
    unused = [question_id for question_id in questions if question_id not in used_questions]
    if unused:
        raise RedFlagError(f"questions.json: no rule uses {', '.join(unused)}")
    caveat_sources = resolve_sources(
        _strings(rules_file, "caveat_sources", "rules.json"), "rules.json.caveat_sources"
    )
    return RedFlagTable(
        version=version,
        complaints=complaints,
        answers=answers,
        caveat=_words(rules_file, "caveat", "rules.json", rule_languages),
        caveat_sources=caveat_sources,
        severities=MappingProxyType(severities),
        questions=tuple(questions.values()),
        rules=tuple(rules),
        sources=MappingProxyType(sources),
    )


def _read(name: str) -> Any:
    """One data file, read through importlib.resources so it works from a wheel or a zip."""
    folder = resources.files("sotclinic.intake.redflags").joinpath("data")
    return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))


@cache
def default_table() -> RedFlagTable:
    """The red-flag table shipped in this package (loaded and checked once)."""
    return parse_table(_read("sources.json"), _read("questions.json"), _read("rules.json"))
