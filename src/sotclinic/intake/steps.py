"""The intake's steps as domain data: which steps there are, which of them an intake asks, the
answers they offer, and which questionnaires a complaint gets.

The forms render these and the services and selectors rule by them; this module imports no
form and no view, so every layer of the intake reads the one list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .instruments import Instrument, complaints, instruments_for_complaint
from .redflags import questions_for

if TYPE_CHECKING:
    from .models import Intake

STEPS: tuple[tuple[str, str], ...] = (
    ("about", _("About you")),
    ("history", _("Health history and medicines")),
    ("complaints", _("What brings you in")),
    ("red_flags", _("Safety questions")),
    ("questionnaires", _("Questionnaires")),
    ("consent", _("Consent to care")),
)
STEP_IDS = tuple(step for step, _ in STEPS)
STEP_TITLES = dict(STEPS)
# Steps that ask about the chosen complaints, so they come after the complaints step.
COMPLAINT_STEPS = ("red_flags", "questionnaires")

ONSET_CHOICES = [
    ("", _("Choose…")),
    ("under_6_weeks", _("Less than 6 weeks ago")),
    ("6_to_12_weeks", _("6 to 12 weeks ago")),
    ("over_3_months", _("More than 3 months ago")),
    ("recurring", _("It comes and goes (for years)")),
]
RED_FLAG_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))]


def complaint_titles() -> dict[str, str]:
    # Read now, in the language of the page being built.
    return {c: str(instruments_for_complaint(c).title) for c in complaints()}


def instruments_for(chosen: Iterable[str], follow_up: bool = False) -> tuple[Instrument, ...]:
    """The questionnaires for these complaints, specific ones first, each once.

    A global rating of change asks about change since care began, so it is not asked at
    baseline, only at follow-up.
    """
    found: dict[str, Instrument] = {}
    ordered = [c for c in complaints() if c in set(chosen)]
    for complaint in ordered:
        for instrument in instruments_for_complaint(complaint).specific:
            found.setdefault(instrument.id, instrument)
    for complaint in ordered:
        for instrument in instruments_for_complaint(complaint).generic:
            found.setdefault(instrument.id, instrument)
    return tuple(i for i in found.values() if follow_up or i.id != "grc15")


def applicable_steps(intake: Intake) -> tuple[str, ...]:
    """The steps this intake asks: the safety questions and the questionnaires only where its
    complaints have some (before any complaint is chosen, every step)."""
    chosen = list(intake.complaints)
    steps = []
    for step in STEP_IDS:
        if step == "red_flags" and chosen and not questions_for(chosen):
            continue
        if step == "questionnaires" and chosen and not instruments_for(chosen):
            continue
        steps.append(step)
    return tuple(steps)
