"""Pure scoring functions: answers in, a Score out, or a ScoringError naming the item at fault.

Each instrument's definition names its scoring function and missing-item policy; the policies
implement what the instrument's own publication prescribes, nothing more lenient:

- ``count_ticked`` / ``unticked_is_zero``: tick-box checklists such as the RMDQ, where a blank
  sentence means "does not describe me today" and scores 0.
- ``single_item`` / ``required``: one-question scales (NPRS, GRC); nothing to impute from.
- ``sum_items`` with ``required``, ``mean_impute`` (add the mean of the answered items for each
  skipped item, as the Neck Disability Index prescribes) or ``percent_of_answered`` (sum over
  the maximum possible for the answered items, as the Oswestry Disability Index prescribes),
  each limited by the definition's ``max_missing``. No shipped instrument uses it; it is there
  so a clinic that licenses such an instrument can add it as data.

- ``sleep_diary`` / ``required``: one night of a sleep diary. The metrics of the Consensus Sleep
  Diary (Carney et al., Sleep 2012) are computed from the clock times and minutes the patient
  gives; the score is the night's sleep efficiency (see ``sleep_diary``).

Answers are a mapping of item id to value: True/False for tick items, a whole number for
numeric items, "HH:MM" for clock times, and None (or an absent key) for an unanswered item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from .model import Change, Instrument, Item, Score, ScoringError

ScoringFunction = Callable[[Instrument, Mapping[str, object]], Score]


def _check_known_items(instrument: Instrument, answers: Mapping[str, object]) -> None:
    known = {item.id for item in instrument.items}
    for item_id in answers:
        if item_id not in known:
            raise ScoringError(
                str(item_id), f"{instrument.short_title} v{instrument.version} has no such item"
            )


def _tick(item: Item, value: object) -> bool | None:
    """A tick item's value: True, False or None (unanswered)."""
    if value is None or isinstance(value, bool):
        return value
    raise ScoringError(item.id, f"must be true (ticked) or false, not {value!r}")


def _number(item: Item, value: object) -> int | None:
    """A numeric item's value, checked against the item's range or options."""
    if value is None:
        return None
    allowed = item.answer.allowed_values() or ()
    # bool is an int in Python; refuse it so a checkbox can never pass as a score of 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoringError(item.id, f"must be a whole number, not {value!r}")
    if value not in allowed:
        if item.answer.type == "choice":
            choices = ", ".join(str(v) for v in allowed)
            raise ScoringError(item.id, f"{value} is not one of the answers ({choices})")
        raise ScoringError(
            item.id, f"{value} is outside {item.answer.minimum}..{item.answer.maximum}"
        )
    return value


def _make_score(
    instrument: Instrument,
    value: float,
    missing: tuple[str, ...] = (),
    imputed: bool = False,
    notes: tuple[str, ...] = (),
) -> Score:
    return Score(
        instrument_id=instrument.id,
        version=instrument.version,
        value=value,
        minimum=instrument.score_min,
        maximum=instrument.score_max,
        direction=instrument.direction,
        missing_items=missing,
        imputed=imputed,
        notes=notes,
    )


def count_ticked(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Number of ticked items; a blank or absent item is unticked (RMDQ scoring note)."""
    _check_known_items(instrument, answers)
    total = sum(1 for item in instrument.items if _tick(item, answers.get(item.id)) is True)
    return _make_score(instrument, float(total))


def single_item(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """The value of the instrument's one item, which must be answered."""
    _check_known_items(instrument, answers)
    item = instrument.item(str(instrument.scoring.parameters["item"]))
    value = _number(item, answers.get(item.id))
    if value is None:
        raise ScoringError(item.id, "is required: this scale has a single question")
    return _make_score(instrument, float(value))


def sum_items(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Sum of numeric items, with the definition's missing-item policy (see module docstring)."""
    _check_known_items(instrument, answers)
    values: dict[str, int] = {}
    missing: list[str] = []
    for item in instrument.items:
        value = _number(item, answers.get(item.id))
        if value is None:
            missing.append(item.id)
        else:
            values[item.id] = value
    policy = instrument.missing_items
    if missing and (policy.policy == "required" or len(missing) > policy.max_missing):
        allowed = 0 if policy.policy == "required" else policy.max_missing
        raise ScoringError(
            missing[0],
            f"is unanswered; {instrument.short_title} allows {allowed} unanswered item(s) "
            f"and {len(missing)} are unanswered ({', '.join(missing)})",
        )
    maxima = {item.id: item.answer.maximum or 0 for item in instrument.items}
    total = float(sum(values.values()))
    notes: tuple[str, ...] = ()
    if policy.policy == "percent_of_answered":
        possible = sum(maxima[item_id] for item_id in values)
        value = total / possible * 100
        if missing:
            notes = (f"Scored as a percentage of the {len(values)} answered items.",)
        return _make_score(instrument, value, tuple(missing), bool(missing), notes)
    if missing:
        mean = total / len(values)
        total += mean * len(missing)
        notes = (f"{len(missing)} unanswered item(s) given the mean of the answered items.",)
    if instrument.scoring.parameters.get("as_percent", False):
        total = total / sum(maxima.values()) * 100
    return _make_score(instrument, total, tuple(missing), bool(missing), notes)


def _clock(item: Item, value: object) -> int:
    """Minutes after midnight of an "HH:MM" answer (24-hour clock)."""
    if value is None or value == "":
        raise ScoringError(item.id, "is required: give a time such as 23:15")
    text = value if isinstance(value, str) else ""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ScoringError(item.id, f"must be a time such as 23:15, not {value!r}")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ScoringError(item.id, f"{value} is not a time of day")
    return int(hours) * 60 + int(minutes)


def _after(start: int, end: int) -> int:
    """Minutes from clock time ``start`` forward to clock time ``end``; a night crosses midnight,
    so an end earlier on the clock is on the next day."""
    return (end - start) % (24 * 60)


#: How staff read the metrics a sleep diary night carries in its score detail.
METRIC_LABELS: Mapping[str, str] = {
    "time_in_bed_minutes": "time in bed (min)",
    "sleep_onset_latency_minutes": "sleep-onset latency (min)",
    "wake_after_sleep_onset_minutes": "wake after sleep onset (min)",
    "awakenings": "awakenings",
    "total_sleep_time_minutes": "total sleep time (min)",
    "sleep_efficiency_percent": "sleep efficiency (%)",
}


def sleep_diary(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """One night of a sleep diary: the standard metrics, and sleep efficiency as the score.

    The times follow one another through the night (into bed, tried to sleep, final awakening,
    out of bed), each on or after the one before, so a night crossing midnight is read
    correctly. Time in bed runs from getting into bed to getting out of bed; total sleep time
    is the time from trying to sleep to the final awakening, less the time taken to fall
    asleep and the time awake in between; sleep efficiency is total sleep time as a percentage
    of time in bed. Raises ScoringError naming the item when the answers do not fit together.
    """
    _check_known_items(instrument, answers)
    roles = instrument.scoring.parameters["items"]
    item = {role: instrument.item(item_id) for role, item_id in roles.items()}

    def minutes(role: str) -> int:
        value = _number(item[role], answers.get(item[role].id))
        if value is None:
            raise ScoringError(item[role].id, "is required: give your best estimate")
        return value

    into_bed = _clock(item["into_bed"], answers.get(item["into_bed"].id))
    tried = _clock(item["tried_to_sleep"], answers.get(item["tried_to_sleep"].id))
    final = _clock(item["final_awakening"], answers.get(item["final_awakening"].id))
    out = _clock(item["out_of_bed"], answers.get(item["out_of_bed"].id))
    onset, awakenings, awake = (
        minutes("onset_minutes"),
        minutes("awakenings"),
        minutes("awake_minutes"),
    )

    to_trying = _after(into_bed, tried)
    trying_to_final = _after(tried, final)
    final_to_out = _after(final, out)
    time_in_bed = to_trying + trying_to_final + final_to_out
    if time_in_bed >= 24 * 60:
        raise ScoringError(item["out_of_bed"].id, "the night adds up to a whole day or more")
    if time_in_bed == 0:
        raise ScoringError(item["out_of_bed"].id, "must be later than the time you got into bed")
    if onset + awake > trying_to_final:
        raise ScoringError(
            item["onset_minutes"].id,
            f"falling asleep ({onset} min) and time awake ({awake} min) are longer than the "
            f"{trying_to_final} min between trying to sleep and the final awakening",
        )
    if awake and not awakenings:
        raise ScoringError(item["awakenings"].id, "is 0, but some time awake in the night is given")
    total_sleep = trying_to_final - onset - awake
    efficiency = round(total_sleep / time_in_bed * 100, 1)
    metrics = (
        ("time_in_bed_minutes", float(time_in_bed)),
        ("sleep_onset_latency_minutes", float(onset)),
        ("wake_after_sleep_onset_minutes", float(awake)),
        ("awakenings", float(awakenings)),
        ("total_sleep_time_minutes", float(total_sleep)),
        ("sleep_efficiency_percent", efficiency),
    )
    score = _make_score(instrument, efficiency)
    return replace(score, metrics=metrics)


SCORING_FUNCTIONS: Mapping[str, ScoringFunction] = {
    "sleep_diary": sleep_diary,
    "count_ticked": count_ticked,
    "single_item": single_item,
    "sum_items": sum_items,
}


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Score one completed questionnaire with the function its definition names.

    Raises ScoringError (with ``.item`` set) for an unknown item, a value of the wrong type or
    out of range, or more unanswered items than the instrument's publication allows.
    """
    if not isinstance(answers, Mapping):
        raise ScoringError(None, f"answers must be a mapping of item id to value, not {answers!r}")
    return SCORING_FUNCTIONS[instrument.scoring.function](instrument, answers)


def _checked_score(instrument: Instrument, value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringError(None, f"{name} must be a number, not {value!r}")
    if not instrument.score_min <= value <= instrument.score_max:
        raise ScoringError(
            None,
            f"{name} {value:g} is outside the {instrument.short_title} range "
            f"{instrument.score_min:g}..{instrument.score_max:g}",
        )
    return float(value)


def change(instrument: Instrument, baseline: float, follow_up: float) -> Change:
    """Read the change between two scores of ``instrument`` against its MCID.

    Points are compared with the MCID's points; the percentage (improvement relative to the
    baseline score, as in Ostelo 2008) only for scales where higher is worse and 0 is best,
    and only when the baseline is above 0. Deterioration is judged on points only, because
    the cited sources define the percentage threshold for improvement.
    """
    start = _checked_score(instrument, baseline, "baseline")
    end = _checked_score(instrument, follow_up, "follow_up")
    sign = -1.0 if instrument.direction == "higher_is_worse" else 1.0
    improvement = sign * (end - start)
    percent: float | None = None
    if instrument.direction == "higher_is_worse" and instrument.score_min == 0 and start > 0:
        percent = improvement / start * 100
    mcid = instrument.mcid
    by_points = by_percent = worse = None
    if mcid.applicable and mcid.points is not None:
        by_points = improvement >= mcid.points
        worse = -improvement >= mcid.points
    if mcid.applicable and mcid.percent is not None and percent is not None:
        by_percent = percent >= mcid.percent
    return Change(
        instrument_id=instrument.id,
        version=instrument.version,
        baseline=start,
        follow_up=end,
        improvement=improvement,
        percent_improvement=percent,
        improved_by_mcid_points=by_points,
        improved_by_mcid_percent=by_percent,
        worsened_by_mcid_points=worse,
    )
