"""Outcome questionnaires for the intake: definitions as data, pure scoring, MCIDs with sources.

Pure Python, no Django: the intake app stores a response as ``(instrument id, version,
answers)`` and calls into this package to render, score and interpret it.

Only instruments whose terms allow their item text to be embedded free of charge ship here
(see README.md next to this file). For a complaint without one, ``instruments_for_complaint``
says so and lists the instruments that exist and how a clinic may license them.

Typical use::

    rmdq = get_instrument("rmdq")                  # current version
    result = score(rmdq, {"rmdq_01": True, ...})   # Score(value=..., range=(0, 24), ...)
    change(rmdq, baseline=12, follow_up=2)         # read against mcid(rmdq)
"""

from __future__ import annotations

from collections.abc import Mapping

from .definitions import parse_instrument
from .model import (
    AnswerOption,
    AnswerSpec,
    Change,
    ComplaintInstruments,
    DefinitionError,
    Instrument,
    InstrumentError,
    InstrumentKey,
    Item,
    Licence,
    Mcid,
    NotShipped,
    RecallPeriod,
    Score,
    ScoringError,
    UnknownInstrument,
)
from .registry import Registry, default_registry
from .scoring import change as _change
from .scoring import score as _score

__all__ = [
    "AnswerOption",
    "AnswerSpec",
    "Change",
    "ComplaintInstruments",
    "DefinitionError",
    "Instrument",
    "InstrumentError",
    "InstrumentKey",
    "Item",
    "Licence",
    "Mcid",
    "NotShipped",
    "RecallPeriod",
    "Registry",
    "Score",
    "ScoringError",
    "UnknownInstrument",
    "change",
    "complaints",
    "current_instruments",
    "get_instrument",
    "instruments_for_complaint",
    "mcid",
    "not_shipped",
    "parse_instrument",
    "score",
]

InstrumentRef = Instrument | InstrumentKey | str


def _resolve(instrument: InstrumentRef) -> Instrument:
    """Accept an Instrument, an ``(id, version)`` key as stored with a response, or an id."""
    if isinstance(instrument, Instrument):
        return instrument
    if isinstance(instrument, str):
        return default_registry().get(instrument)
    if isinstance(instrument, tuple) and len(instrument) == 2:
        return default_registry().get(instrument[0], instrument[1])
    raise UnknownInstrument(f"Not an instrument, (id, version) or id: {instrument!r}")


def get_instrument(instrument_id: str, version: int | None = None) -> Instrument:
    """The shipped instrument ``instrument_id`` at ``version`` (its current version if None).

    Raises UnknownInstrument; for an instrument listed as not shipped the message says why.
    """
    return default_registry().get(instrument_id, version)


def current_instruments() -> tuple[Instrument, ...]:
    """The current version of every shipped instrument."""
    return default_registry().current()


def complaints() -> tuple[str, ...]:
    """The complaint ids the intake knows: ``low_back``, ``neck``, ``headache``, ``sleep``."""
    return default_registry().complaints


def instruments_for_complaint(complaint: str) -> ComplaintInstruments:
    """Shipped instruments for a complaint (specific first), the gap if any, and the
    instruments that exist but are not shipped, with why and how to license them."""
    return default_registry().for_complaint(complaint)


def not_shipped() -> tuple[NotShipped, ...]:
    """Every instrument considered but not shipped, with the reason and the licensing route."""
    return default_registry().not_shipped


def score(instrument: InstrumentRef, answers: Mapping[str, object]) -> Score:
    """Score a completed questionnaire; ScoringError names the item at fault."""
    return _score(_resolve(instrument), answers)


def mcid(instrument: InstrumentRef) -> Mcid:
    """The instrument's minimal clinically important difference, with its source."""
    return _resolve(instrument).mcid


def change(instrument: InstrumentRef, baseline: float, follow_up: float) -> Change:
    """Change between two scores of one instrument, read against its MCID."""
    return _change(_resolve(instrument), baseline, follow_up)
