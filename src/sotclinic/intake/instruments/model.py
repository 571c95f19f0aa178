"""The shapes of questionnaire definitions, scores and changes (plain, immutable data).

Definitions live as JSON data files next to this module; ``definitions.py`` turns them into
these objects. Nothing here knows about Django, so the engine can be tested exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Direction = Literal["higher_is_worse", "higher_is_better"]
AnswerType = Literal["tick", "integer", "choice", "time"]

#: A stored response names its instrument by id and version; both are needed to re-score it.
InstrumentKey = tuple[str, int]


class InstrumentError(ValueError):
    """Base class for problems with instruments, their definitions or their answers."""


class UnknownInstrument(InstrumentError, LookupError):
    """No instrument (or no such version of it) is registered."""


class DefinitionError(InstrumentError):
    """A questionnaire definition file is malformed; the message names the file and field."""


class ScoringError(InstrumentError):
    """Answers cannot be scored: an item is unknown, missing or out of range.

    ``item`` names the item at fault so a form can put the message next to the right question.
    """

    def __init__(self, item: str | None, message: str) -> None:
        self.item = item
        super().__init__(f"{item}: {message}" if item else message)


@dataclass(frozen=True)
class AnswerOption:
    """One labelled answer of a choice item."""

    value: int
    label: str


@dataclass(frozen=True)
class AnswerSpec:
    """What an item accepts: a tick box, a whole number in a range, or one of fixed options."""

    type: AnswerType
    minimum: int | None = None
    maximum: int | None = None
    anchors: tuple[tuple[int, str], ...] = ()
    options: tuple[AnswerOption, ...] = ()

    def allowed_values(self) -> tuple[int, ...] | None:
        """The valid numeric answers, or None for a tick box (True/False) or a clock time."""
        if self.type == "choice":
            return tuple(option.value for option in self.options)
        if self.type == "integer" and self.minimum is not None and self.maximum is not None:
            return tuple(range(self.minimum, self.maximum + 1))
        return None


@dataclass(frozen=True)
class Item:
    """One question of an instrument, with the exact wording the patient sees."""

    id: str
    text: str
    answer: AnswerSpec


@dataclass(frozen=True)
class ScoringRule:
    """Which pure scoring function scores the instrument, with its parameters and source."""

    function: str
    parameters: dict[str, Any]
    rule: str
    source: str


@dataclass(frozen=True)
class MissingItemsRule:
    """How skipped items are handled, as the instrument's publication prescribes."""

    policy: str
    rule: str
    source: str
    max_missing: int = 0


@dataclass(frozen=True)
class Mcid:
    """Minimal clinically important difference: points and/or percent, with its source.

    ``applicable`` is False for an instrument that has no MCID of its own (a global rating of
    change is the anchor other MCIDs are set against); ``notes`` then says why.
    """

    applicable: bool
    points: float | None
    percent: float | None
    source: str
    notes: str


@dataclass(frozen=True)
class Licence:
    """Why the item text may be embedded free of charge, and how that was checked."""

    free_to_embed: bool
    holder: str
    basis: str
    url: str
    verification: str


@dataclass(frozen=True)
class RecallPeriod:
    """One time frame an instrument can ask about, with the wording the patient sees for it.

    The wording is part of what the patient answered, so a response records the period's id
    and the score is read only against scores of the same period.
    """

    id: str
    label: str
    instructions: str
    item_texts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Instrument:
    """A versioned, shipped questionnaire definition."""

    id: str
    version: int
    title: str
    short_title: str
    language: str
    complaints: tuple[str, ...]
    construct: str
    instructions: str
    items: tuple[Item, ...]
    scoring: ScoringRule
    missing_items: MissingItemsRule
    score_min: float
    score_max: float
    direction: Direction
    mcid: Mcid
    licence: Licence
    references: tuple[str, ...]
    notes: str = ""
    recall_periods: tuple[RecallPeriod, ...] = ()
    recall_source: str = ""

    @property
    def recall_period_ids(self) -> tuple[str, ...]:
        """The recall periods a clinic may choose for this instrument (empty: fixed wording)."""
        return tuple(period.id for period in self.recall_periods)

    @property
    def default_recall_period(self) -> str:
        """The first listed period, used when an answer names none ("" if the wording is fixed)."""
        return self.recall_periods[0].id if self.recall_periods else ""

    def recall_period(self, period_id: str) -> RecallPeriod:
        """The recall period with this id; UnknownInstrument if the instrument has none such."""
        for period in self.recall_periods:
            if period.id == period_id:
                return period
        raise UnknownInstrument(
            f"{self.short_title} v{self.version} has no recall period {period_id!r}"
        )

    def worded(self, period_id: str | None) -> Instrument:
        """The instrument as the patient sees it for one recall period.

        Instruments without recall periods (and ``period_id`` None or empty) come back as
        they are; the scoring is the same whatever the period.
        """
        if not self.recall_periods or not period_id:
            return self
        period = self.recall_period(period_id)
        texts = dict(period.item_texts)
        items = tuple(replace(item, text=texts.get(item.id, item.text)) for item in self.items)
        return replace(self, instructions=period.instructions, items=items)

    @property
    def key(self) -> InstrumentKey:
        """``(id, version)``: what a stored response records to be re-scored later."""
        return (self.id, self.version)

    def item(self, item_id: str) -> Item:
        """The item with this id; ScoringError if the instrument has no such item."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise ScoringError(item_id, f"{self.short_title} v{self.version} has no such item")


@dataclass(frozen=True)
class NotShipped:
    """An instrument that exists for a complaint but whose item text sotclinic does not ship."""

    id: str
    title: str
    complaints: tuple[str, ...]
    holder: str
    why_not_shipped: str
    how_to_license: str
    reference: str
    sources_checked: str


@dataclass(frozen=True)
class ComplaintInstruments:
    """What the intake can offer for one complaint, and what it cannot, and why."""

    complaint: str
    title: str
    specific: tuple[Instrument, ...]
    generic: tuple[Instrument, ...]
    gap: str | None
    not_shipped: tuple[NotShipped, ...]

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        """Every shipped instrument for the complaint, complaint-specific ones first."""
        return self.specific + self.generic

    @property
    def has_specific_instrument(self) -> bool:
        """True when a complaint-specific questionnaire ships (not only the generic scales)."""
        return bool(self.specific)


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed questionnaire."""

    instrument_id: str
    version: int
    value: float
    minimum: float
    maximum: float
    direction: Direction
    missing_items: tuple[str, ...] = ()
    imputed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Further named values computed from the answers (a sleep diary's minutes and percent).
    metrics: tuple[tuple[str, float], ...] = ()

    @property
    def range(self) -> tuple[float, float]:
        """``(minimum, maximum)`` of the instrument's score."""
        return (self.minimum, self.maximum)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data for storage next to the response."""
        data: dict[str, Any] = {
            "instrument": self.instrument_id,
            "version": self.version,
            "value": self.value,
            "range": [self.minimum, self.maximum],
            "direction": self.direction,
            "missing_items": list(self.missing_items),
            "imputed": self.imputed,
            "notes": list(self.notes),
        }
        if self.metrics:
            data["metrics"] = dict(self.metrics)
        return data


@dataclass(frozen=True)
class Change:
    """Change between two scores of one instrument, read against its MCID.

    ``improvement`` is positive when the patient is better, whatever the instrument's direction.
    The ``*_mcid_*`` fields are None when the instrument has no MCID or the comparison is
    undefined (a percentage of a zero baseline).
    """

    instrument_id: str
    version: int
    baseline: float
    follow_up: float
    improvement: float
    percent_improvement: float | None
    improved_by_mcid_points: bool | None
    improved_by_mcid_percent: bool | None
    worsened_by_mcid_points: bool | None
