"""Scoring against the instruments' own publications, missing-item rules, MCIDs and errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sotclinic.intake.instruments import (
    ScoringError,
    change,
    get_instrument,
    mcid,
    parse_instrument,
    score,
)

KNOWN = frozenset({"low_back", "neck", "headache", "sleep"})
RMDQ_ITEMS = [f"rmdq_{n:02d}" for n in range(1, 25)]


def ticked(*numbers):
    return {f"rmdq_{n:02d}": True for n in numbers}


# --- RMDQ -----------------------------------------------------------------------------------
# Scoring note printed with the original English RMDQ (Roland & Morris, Spine 1983;8:141-144,
# distributed at rmdq.org): "The score of the RDQ is the total number of items checked, i.e.
# from a minimum of 0 to a maximum of 24."


def test_rmdq_score_is_the_number_of_sentences_ticked():
    result = score("rmdq", ticked(*range(1, 13)))
    assert result.value == 12
    assert result.range == (0, 24)
    assert result.direction == "higher_is_worse"


def test_rmdq_nothing_ticked_scores_the_minimum_and_everything_ticked_the_maximum():
    assert score("rmdq", {}).value == 0
    assert score("rmdq", ticked(*range(1, 25))).value == 24


def test_rmdq_blank_sentences_score_zero_without_proration():
    # Instructions: "If the sentence does not describe you, then leave the space blank."
    explicit = dict.fromkeys(RMDQ_ITEMS, False) | ticked(3, 13, 18)
    assert score("rmdq", ticked(3, 13, 18)).value == 3
    assert score("rmdq", explicit).value == 3
    assert score("rmdq", explicit | {"rmdq_05": None}).value == 3
    assert score("rmdq", ticked(3)).imputed is False


def test_rmdq_unknown_item_is_named():
    with pytest.raises(ScoringError) as error:
        score("rmdq", {"rmdq_25": True})
    assert error.value.item == "rmdq_25"


@pytest.mark.parametrize("value", ["yes", 1, 0, "true"])
def test_rmdq_a_tick_must_be_true_or_false(value):
    with pytest.raises(ScoringError, match="must be true") as error:
        score("rmdq", {"rmdq_07": value})
    assert error.value.item == "rmdq_07"


@given(st.sets(st.sampled_from(RMDQ_ITEMS)))
def test_rmdq_score_always_equals_the_count_of_ticks_within_range(items):
    result = score("rmdq", dict.fromkeys(items, True))
    assert result.value == len(items)
    assert result.minimum <= result.value <= result.maximum


# Ostelo RW et al. Spine 2008;33(1):90-94: minimal important change for the RMDQ is 5 points,
# or a 30% improvement from baseline.


def test_rmdq_mcid_is_five_points_or_thirty_percent_with_its_source():
    threshold = mcid("rmdq")
    assert (threshold.points, threshold.percent) == (5, 30)
    assert "Ostelo" in threshold.source and "Spine 2008" in threshold.source


def test_rmdq_change_of_twelve_to_two_is_an_important_improvement():
    result = change("rmdq", baseline=12, follow_up=2)
    assert result.improvement == 10
    assert round(result.percent_improvement) == 83
    assert result.improved_by_mcid_points and result.improved_by_mcid_percent
    assert result.worsened_by_mcid_points is False


def test_rmdq_the_points_and_percent_thresholds_are_reported_separately():
    four_of_twelve = change("rmdq", baseline=12, follow_up=8)  # 4 points, 33%
    assert four_of_twelve.improved_by_mcid_points is False
    assert four_of_twelve.improved_by_mcid_percent is True
    four_of_twenty = change("rmdq", baseline=20, follow_up=16)  # 4 points, 20%
    assert not four_of_twenty.improved_by_mcid_points
    assert not four_of_twenty.improved_by_mcid_percent


def test_rmdq_percent_is_undefined_from_a_zero_baseline():
    result = change("rmdq", baseline=0, follow_up=6)
    assert result.percent_improvement is None
    assert result.improved_by_mcid_percent is None
    assert result.worsened_by_mcid_points is True


def test_change_refuses_scores_outside_the_range():
    with pytest.raises(ScoringError, match="outside the RMDQ range"):
        change("rmdq", baseline=25, follow_up=3)
    with pytest.raises(ScoringError, match="must be a number"):
        change("rmdq", baseline=True, follow_up=3)


# --- NPRS -----------------------------------------------------------------------------------
# Farrar JT et al. Pain 2001;94(2):149-158: a reduction of about 2 points or about 30% on the
# 0-10 scale corresponded to a clinically important improvement; Childs JD et al. Spine
# 2005;30(11):1331-1334: MCID 2 points in low back pain.


def test_nprs_score_is_the_number_chosen():
    result = score("nprs", {"nprs_pain": 6})
    assert (result.value, result.range) == (6, (0, 10))


def test_nprs_six_to_four_is_an_important_improvement_by_points_and_percent():
    result = change("nprs", baseline=6, follow_up=4)
    assert result.improvement == 2
    assert round(result.percent_improvement) == 33
    assert result.improved_by_mcid_points and result.improved_by_mcid_percent


def test_nprs_eight_to_seven_is_not_an_important_improvement():
    result = change("nprs", baseline=8, follow_up=7)
    assert not result.improved_by_mcid_points
    assert not result.improved_by_mcid_percent


def test_nprs_three_to_six_is_an_important_worsening():
    result = change("nprs", baseline=3, follow_up=6)
    assert result.improvement == -3
    assert result.worsened_by_mcid_points is True


def test_nprs_unanswered_is_an_error_naming_the_item():
    for answers in ({}, {"nprs_pain": None}):
        with pytest.raises(ScoringError, match="required") as error:
            score("nprs", answers)
        assert error.value.item == "nprs_pain"


@pytest.mark.parametrize(
    ("value", "message"),
    [(11, "outside 0..10"), (-1, "outside 0..10"), (3.5, "whole number"), (True, "whole number")],
)
def test_nprs_out_of_range_or_wrong_type_is_refused(value, message):
    with pytest.raises(ScoringError, match=message):
        score("nprs", {"nprs_pain": value})


@given(st.integers(0, 10), st.integers(0, 10))
def test_nprs_improvement_meets_the_mcid_exactly_when_pain_falls_two_points(before, after):
    result = change("nprs", before, after)
    assert result.improved_by_mcid_points == (before - after >= 2)
    assert result.worsened_by_mcid_points == (after - before >= 2)


# --- GRC ------------------------------------------------------------------------------------
# Jaeschke R et al. Control Clin Trials 1989;10(4):407-415: 15-point scale from -7 to +7.


def test_grc_score_is_the_answer_value_from_minus_seven_to_plus_seven():
    assert score("grc15", {"grc_change": 3}).value == 3
    assert score("grc15", {"grc_change": -7}).value == -7
    assert score("grc15", {"grc_change": 0}).range == (-7, 7)


def test_grc_labels_run_from_a_very_great_deal_worse_to_better():
    options = get_instrument("grc15").items[0].answer.options
    assert [o.value for o in options] == list(range(-7, 8))
    assert options[0].label == "A very great deal worse"
    assert options[-1].label == "A very great deal better"


def test_grc_an_answer_that_is_not_on_the_scale_is_refused():
    with pytest.raises(ScoringError, match="not one of the answers") as error:
        score("grc15", {"grc_change": 8})
    assert error.value.item == "grc_change"


def test_grc_has_no_mcid_of_its_own_and_change_reports_none():
    assert mcid("grc15").applicable is False
    assert "anchor" in mcid("grc15").notes
    result = change("grc15", baseline=0, follow_up=3)
    assert result.improvement == 3
    assert result.improved_by_mcid_points is None
    assert result.worsened_by_mcid_points is None
    assert result.percent_improvement is None


# --- scores keep their instrument and version -----------------------------------------------


def test_a_stored_instrument_key_scores_with_that_version():
    result = score(("rmdq", 1), ticked(1, 2))
    assert result.as_dict() == {
        "instrument": "rmdq",
        "version": 1,
        "value": 2.0,
        "range": [0.0, 24.0],
        "direction": "higher_is_worse",
        "missing_items": [],
        "imputed": False,
        "notes": [],
    }


def test_answers_must_be_a_mapping():
    with pytest.raises(ScoringError, match="mapping"):
        score("rmdq", ["rmdq_01"])


# --- sum_items: missing-item rules of instruments a clinic may license ------------------------
# Synthetic definitions (no licensed item text) with ten 0-5 sections, like the ODI and NDI.


def ten_sections(policy, as_percent, max_missing=1):
    return parse_instrument(
        {
            "id": "sections",
            "version": 1,
            "title": "Ten sections",
            "short_title": "TEN",
            "language": "en-GB",
            "complaints": ["neck"],
            "construct": "test",
            "instructions": "test",
            "items": [
                {
                    "id": f"s{n}",
                    "text": f"Section {n}",
                    "answer": {"type": "integer", "min": 0, "max": 5},
                }
                for n in range(1, 11)
            ],
            "scoring": {
                "function": "sum_items",
                "parameters": {"as_percent": as_percent},
                "rule": "sum",
                "source": "test",
            },
            "missing_items": {
                "policy": policy,
                "rule": "test",
                "source": "test",
                "max_missing": 0 if policy == "required" else max_missing,
            },
            "score_range": {"min": 0, "max": 100 if as_percent else 50},
            "direction": "higher_is_worse",
            "mcid": {"applicable": True, "points": 5, "percent": None, "source": "t", "notes": "t"},
            "licence": {
                "free_to_embed": True,
                "holder": "t",
                "basis": "t",
                "url": "https://example.org",
                "verification": "t",
            },
            "references": ["test"],
        },
        "sections.v1.json",
        KNOWN,
    )


def answers_summing_to(total, sections=10):
    """Answers for ``sections`` sections whose values add up to ``total``."""
    values = [total // sections + (1 if n < total % sections else 0) for n in range(sections)]
    return {f"s{n + 1}": value for n, value in enumerate(values)}


def test_odi_rule_sixteen_of_fifty_is_thirty_two_percent():
    # Scoring instructions printed with the Oswestry Low Back Pain Disability Questionnaire:
    # "Example: 16 (total scored) / 50 (total possible score) x 100 = 32%".
    instrument = ten_sections("percent_of_answered", as_percent=True)
    assert score(instrument, answers_summing_to(16)).value == pytest.approx(32.0)


def test_odi_rule_with_one_section_skipped_is_sixteen_of_forty_five():
    # Same instructions: "If one section is missed or not applicable ... 16 (total scored) /
    # 45 (total possible score) x 100 = 35.5%" (the source truncates 35.56 to 35.5).
    instrument = ten_sections("percent_of_answered", as_percent=True)
    result = score(instrument, answers_summing_to(16, sections=9))
    assert result.value == pytest.approx(16 / 45 * 100)
    assert round(result.value, 1) == 35.6
    assert result.missing_items == ("s10",)
    assert result.imputed is True


def test_ndi_rule_adds_the_mean_of_the_answered_items_for_a_skipped_one():
    # Vernon's scoring note for the NDI: "Occasionally, a respondent will not complete one
    # question or another. The average of all other items is then added."
    instrument = ten_sections("mean_impute", as_percent=False)
    result = score(instrument, answers_summing_to(27, sections=9))  # mean 3
    assert result.value == 30
    assert result.missing_items == ("s10",)
    assert result.notes


def test_more_skipped_items_than_allowed_is_an_error_listing_them():
    instrument = ten_sections("mean_impute", as_percent=False, max_missing=1)
    with pytest.raises(ScoringError, match="s9, s10") as error:
        score(instrument, answers_summing_to(20, sections=8))
    assert error.value.item == "s9"


def test_a_required_policy_names_the_first_unanswered_item():
    instrument = ten_sections("required", as_percent=False)
    answers = answers_summing_to(20)
    del answers["s4"]
    with pytest.raises(ScoringError) as error:
        score(instrument, answers)
    assert error.value.item == "s4"


def test_a_complete_sum_is_the_plain_total():
    instrument = ten_sections("required", as_percent=False)
    assert score(instrument, answers_summing_to(23)).value == 23
