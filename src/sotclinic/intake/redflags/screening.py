"""The red-flag screen: answers, age and complaints in; flags with explanation and source out.

Pure and deterministic: the same input always gives the same result, in the table's order.

Rules are evaluated with three-valued logic. A question answered "unsure" or left unanswered,
or an age rule without an age, makes a condition unknown rather than false, so the result can
list the rules that could not be decided ("ask in person") instead of reporting them negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sotclinic.data_text import source_text

from .table import (
    Question,
    RedFlagError,
    RedFlagTable,
    Rule,
    Severity,
    Source,
    condition_questions,
    default_table,
)

Answer = Literal["yes", "no", "unsure"]
_MAX_AGE = 130


@dataclass(frozen=True)
class Flag:
    """A positive rule: what was found, how urgent, why it matters and who says so."""

    rule_id: str
    title: str
    severity: Severity
    explanation: str
    sources: tuple[Source, ...]
    triggered_by: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data, for storage with the intake and for the API."""
        return {
            "rule": self.rule_id,
            "title": source_text(self.title),
            "severity": self.severity.id,
            "severity_label": source_text(self.severity.label),
            "action": source_text(self.severity.action),
            "explanation": source_text(self.explanation),
            "triggered_by": list(self.triggered_by),
            "sources": [{"citation": s.citation, "url": s.url} for s in self.sources],
        }


@dataclass(frozen=True)
class Undetermined:
    """A rule that could not be decided because an answer (or the age) is missing or unsure."""

    rule_id: str
    title: str
    severity: Severity
    needs: tuple[str, ...]


@dataclass(frozen=True)
class ScreenResult:
    """The outcome of one red-flag screen.

    ``flags`` are ordered most urgent first, then in table order. ``unanswered`` and ``unsure``
    list question ids to ask in person; ``undetermined`` lists rules they leave open.
    """

    table_version: int
    complaints: tuple[str, ...]
    age: int | None
    flags: tuple[Flag, ...]
    undetermined: tuple[Undetermined, ...]
    unanswered: tuple[str, ...]
    unsure: tuple[str, ...]
    caveat: str

    @property
    def positive(self) -> bool:
        """True when at least one red flag is raised; this marks the chart."""
        return bool(self.flags)

    @property
    def complete(self) -> bool:
        """True when every question was answered yes or no and every rule could be decided."""
        return not (self.undetermined or self.unanswered or self.unsure)

    @property
    def highest_severity(self) -> Severity | None:
        """The most urgent severity among the flags, or None for a negative screen."""
        return self.flags[0].severity if self.flags else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data, for storage with the intake and for the API."""
        highest = self.highest_severity
        return {
            "table_version": self.table_version,
            "complaints": list(self.complaints),
            "age": self.age,
            "positive": self.positive,
            "highest_severity": highest.id if highest else None,
            "flags": [flag.as_dict() for flag in self.flags],
            "undetermined": [
                {
                    "rule": item.rule_id,
                    "title": source_text(item.title),
                    "severity": item.severity.id,
                    "needs": list(item.needs),
                }
                for item in self.undetermined
            ],
            "unanswered": list(self.unanswered),
            "unsure": list(self.unsure),
            "caveat": source_text(self.caveat),
        }


def _complaints(complaints: Iterable[str], table: RedFlagTable) -> frozenset[str]:
    if isinstance(complaints, str):
        # A bare string would be read letter by letter; refuse it rather than guess.
        raise RedFlagError(f"complaints must be a set of complaint ids, not {complaints!r}")
    chosen = frozenset(complaints)
    unknown = sorted(c for c in chosen if c not in table.complaints)
    if unknown:
        raise RedFlagError(
            f"Unknown complaint(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(table.complaints)}"
        )
    return chosen


def _rules_for(complaints: frozenset[str], table: RedFlagTable) -> tuple[Rule, ...]:
    return tuple(rule for rule in table.rules if rule.applies_to(complaints))


def questions_for(
    complaints: Iterable[str], table: RedFlagTable | None = None
) -> tuple[Question, ...]:
    """The red-flag questions to ask for these complaints, in display order.

    Exactly the questions that some applicable rule uses, so the intake never asks a question
    whose answer could not change the screen (a sleep-only complaint asks only the sleep screen).
    """
    table = table or default_table()
    rules = _rules_for(_complaints(complaints, table), table)
    needed = {q for rule in rules for q in condition_questions(rule.when)}
    return tuple(question for question in table.questions if question.id in needed)


def _normalise_answer(question_id: str, value: object) -> Answer | None:
    if value is None:
        return None
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value in ("yes", "no", "unsure"):
        return value  # type: ignore[return-value]
    raise RedFlagError(
        f"Answer to {question_id!r} must be 'yes', 'no' or 'unsure' (or true/false), not {value!r}"
    )


def _check_age(age: object) -> int | None:
    if age is None:
        return None
    if isinstance(age, bool) or not isinstance(age, int):
        raise RedFlagError(f"age must be a whole number of years or None, not {age!r}")
    if not 0 <= age <= _MAX_AGE:
        raise RedFlagError(f"age {age} is outside 0..{_MAX_AGE}")
    return age


# Result of evaluating a condition: True/False/None (unknown), the question ids (or "age")
# that made it true, and those whose absence left it unknown.
_Eval = tuple[bool | None, tuple[str, ...], tuple[str, ...]]


def _evaluate(
    condition: Mapping[str, Any], answers: Mapping[str, Answer], age: int | None
) -> _Eval:
    ((key, value),) = condition.items()
    if key == "answer":
        answer = answers.get(value)
        if answer == "yes":
            return True, (value,), ()
        if answer == "no":
            return False, (), ()
        return None, (), (value,)
    if key in ("age_over", "age_under", "age_at_least"):
        if age is None:
            return None, (), ("age",)
        result = {
            "age_over": age > value,
            "age_under": age < value,
            "age_at_least": age >= value,
        }[key]
        return result, ("age",) if result else (), ()
    parts = [_evaluate(part, answers, age) for part in value]
    because = tuple(q for result, reasons, _ in parts if result for q in reasons)
    unknown = tuple(q for result, _, missing in parts if result is None for q in missing)
    if key == "all":
        if any(result is False for result, _, _ in parts):
            return False, (), ()
        if any(result is None for result, _, _ in parts):
            return None, (), unknown
        return True, because, ()
    # "any": one true part is enough, whatever the others are.
    if any(result is True for result, _, _ in parts):
        return True, because, ()
    if any(result is None for result, _, _ in parts):
        return None, (), unknown
    return False, (), ()


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def screen(
    answers: Mapping[str, object],
    age: int | None,
    complaints: Iterable[str],
    table: RedFlagTable | None = None,
) -> ScreenResult:
    """Run the red-flag screen for a patient's intake answers.

    ``answers`` maps question id to "yes", "no" or "unsure" (True/False are read as yes/no;
    None or an absent id means unanswered). ``age`` in whole years, or None if unknown.
    ``complaints`` are complaint ids (``low_back``, ``neck``, ``headache``, ``sleep``).

    Raises RedFlagError for an unknown complaint, an unknown question id, a question that is
    not part of the screen for these complaints, an invalid answer or an invalid age.
    """
    table = table or default_table()
    chosen = _complaints(complaints, table)
    checked_age = _check_age(age)
    if not isinstance(answers, Mapping):
        raise RedFlagError(f"answers must be a mapping of question id to answer, not {answers!r}")
    asked = {question.id for question in questions_for(chosen, table)}
    normalised: dict[str, Answer] = {}
    for question_id, value in answers.items():
        table.question(str(question_id))  # raises for an unknown id
        if question_id not in asked:
            # Never drop a patient's answer silently: the caller's complaints must match.
            raise RedFlagError(
                f"Question {question_id!r} is not part of the screen for "
                f"{', '.join(sorted(chosen)) or 'no complaints'}"
            )
        answer = _normalise_answer(question_id, value)
        if answer is not None:
            normalised[question_id] = answer

    flags: list[Flag] = []
    undetermined: list[Undetermined] = []
    for rule in _rules_for(chosen, table):
        result, because, missing = _evaluate(rule.when, normalised, checked_age)
        if result is True:
            flags.append(
                Flag(
                    rule_id=rule.id,
                    title=rule.title,
                    severity=rule.severity,
                    explanation=rule.explanation,
                    sources=rule.sources,
                    triggered_by=_unique(because),
                )
            )
        elif result is None:
            undetermined.append(Undetermined(rule.id, rule.title, rule.severity, _unique(missing)))
    # sorted() is stable, so rules of equal severity keep the table's order.
    flags.sort(key=lambda flag: flag.severity.rank)
    ordered_ids = [question.id for question in table.questions if question.id in asked]
    return ScreenResult(
        table_version=table.version,
        complaints=tuple(c for c in table.complaints if c in chosen),
        age=checked_age,
        flags=tuple(flags),
        undetermined=tuple(undetermined),
        unanswered=tuple(q for q in ordered_ids if q not in normalised),
        unsure=tuple(q for q in ordered_ids if normalised.get(q) == "unsure"),
        caveat=table.caveat,
    )
