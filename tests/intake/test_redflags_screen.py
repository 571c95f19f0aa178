"""The red-flag screen: each rule fires on its answers and not otherwise; ages; complaints."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sotclinic.intake.redflags import RedFlagError, default_table, questions_for, screen
from sotclinic.intake.redflags.table import condition_questions

TABLE = default_table()
ALL_COMPLAINTS = frozenset(TABLE.complaints)
PAIN = frozenset({"low_back", "neck", "headache"})


def flagged(result):
    return [flag.rule_id for flag in result.flags]


def satisfying(condition):
    """Answers (all 'yes') and an age that make ``condition`` true, taking the first branch
    of every 'any'."""
    key, value = next(iter(condition.items()))
    if key == "answer":
        return {value: "yes"}, None
    if key == "age_over":
        return {}, value + 1
    if key == "age_under":
        return {}, value - 1
    if key == "age_at_least":
        return {}, value
    parts = [satisfying(part) for part in (value if key == "all" else value[:1])]
    answers, age = {}, None
    for part_answers, part_age in parts:
        answers |= part_answers
        age = part_age if part_age is not None else age
    return answers, age


def all_asked(complaints, answer):
    return {question.id: answer for question in questions_for(complaints)}


def rule_complaints(rule):
    return set(rule.regions) if "any" not in rule.regions else set(PAIN)


# --- every rule, generically ---------------------------------------------------------------


@pytest.mark.parametrize("rule", TABLE.rules, ids=lambda rule: rule.id)
def test_each_rule_fires_on_its_answers(rule):
    complaints = rule_complaints(rule)
    answers, age = satisfying(rule.when)
    result = screen(answers, age if age is not None else 40, complaints)

    assert rule.id in flagged(result)
    flag = next(f for f in result.flags if f.rule_id == rule.id)
    assert flag.sources == rule.sources
    assert flag.explanation == rule.explanation
    assert set(flag.triggered_by) <= set(answers) | {"age"}


ASKING_RULES = [rule for rule in TABLE.rules if condition_questions(rule.when)]


@pytest.mark.parametrize("rule", ASKING_RULES, ids=lambda rule: rule.id)
def test_each_rule_stays_silent_when_its_own_questions_are_answered_no(rule):
    complaints = rule_complaints(rule)
    answers = all_asked(complaints, "yes")  # every other question positive
    for question_id in condition_questions(rule.when):
        answers[question_id] = "no"
    _, age = satisfying(rule.when)
    result = screen(answers, age if age is not None else 40, complaints)

    assert rule.id not in flagged(result)
    assert rule.id not in [u.rule_id for u in result.undetermined]


@pytest.mark.parametrize("complaints", [{"low_back"}, {"neck"}, {"headache"}, set(PAIN)])
def test_all_no_answers_give_a_complete_negative_screen(complaints):
    result = screen(all_asked(complaints, "no"), age=35, complaints=complaints)

    assert result.positive is False
    assert result.highest_severity is None
    assert result.flags == ()
    assert result.complete
    assert result.as_dict()["positive"] is False
    assert "does not rule out" in result.caveat


# --- stories -------------------------------------------------------------------------------


def test_saddle_numbness_with_back_pain_is_urgent_with_its_sources():
    result = screen({"lb_saddle_numbness": "yes"}, age=45, complaints={"low_back"})

    assert result.positive
    assert result.highest_severity.id == "urgent"
    cauda_equina = result.flags[0]
    assert cauda_equina.rule_id == "lb_cauda_equina"
    assert cauda_equina.triggered_by == ("lb_saddle_numbness",)
    assert any("Finucane" in s.citation for s in cauda_equina.sources)


def test_bladder_change_in_neck_pain_with_clumsy_hands_is_urgent_myelopathy():
    answers = {"nk_hand_clumsy": "yes", "spine_bladder_bowel": "yes"}
    result = screen(answers, age=66, complaints={"neck"})
    assert flagged(result)[:1] == ["nk_myelopathy_bladder"]
    assert "nk_myelopathy" in flagged(result)


def test_flags_are_ordered_most_urgent_first():
    answers = {"lb_night_pain": "yes", "any_cancer_history": "yes", "lb_both_legs": "yes"}
    result = screen(answers, age=40, complaints={"low_back"})
    assert [f.severity.id for f in result.flags] == ["urgent", "refer", "review"]


def test_double_vision_with_neck_pain_is_urgent_but_dizziness_alone_is_for_review():
    urgent = screen({"nk_double_vision": "yes"}, age=30, complaints={"neck"})
    assert urgent.highest_severity.id == "urgent"
    review = screen({"nk_dizziness": "yes"}, age=30, complaints={"neck"})
    assert flagged(review) == ["nk_arterial_dizzy_nausea"]
    assert review.highest_severity.id == "review"


def test_fever_with_headache_needs_a_stiff_neck_or_worsening_to_be_urgent():
    fever_only = screen(
        {"any_fever_unwell": "yes", "hd_neck_stiffness": "no", "hd_worsening": "no"},
        age=30,
        complaints={"headache"},
    )
    assert "hd_fever" not in flagged(fever_only)
    meningism = screen(
        {"any_fever_unwell": "yes", "hd_neck_stiffness": "yes"}, age=30, complaints={"headache"}
    )
    assert flagged(meningism)[0] == "hd_fever"


def test_a_history_of_cancer_flags_back_pain_and_headache_even_when_the_headache_is_usual():
    back = screen({"any_cancer_history": "yes"}, age=60, complaints={"low_back"})
    assert "spine_cancer_history" in flagged(back)
    usual_headache = screen(
        {"any_cancer_history": "yes", "hd_new_or_changed": "no"}, age=60, complaints={"headache"}
    )
    assert flagged(usual_headache) == ["hd_cancer_history"]
    new_headache = screen(
        {"any_cancer_history": "yes", "hd_new_or_changed": "yes"}, age=60, complaints={"headache"}
    )
    assert "hd_new_with_cancer" in flagged(new_headache)


# --- age rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "fires"), [(19, True), (20, False), (35, False), (50, False), (51, True), (80, True)]
)
def test_first_back_pain_under_20_or_over_50_is_flagged_for_review(age, fires):
    result = screen({"lb_first_episode": "yes"}, age=age, complaints={"low_back"})
    assert ("lb_age_at_onset" in flagged(result)) is fires


def test_age_alone_does_not_flag_a_recurrent_back_problem():
    result = screen({"lb_first_episode": "no"}, age=70, complaints={"low_back"})
    assert "lb_age_at_onset" not in flagged(result)


@pytest.mark.parametrize(("age", "fires"), [(50, False), (51, True)])
def test_a_new_headache_after_50_is_referred(age, fires):
    result = screen({"hd_new_or_changed": "yes"}, age=age, complaints={"headache"})
    assert ("hd_new_over_50" in flagged(result)) is fires
    assert "hd_new_or_changed" in flagged(result)


@pytest.mark.parametrize(
    ("age", "tingling", "severity"),
    [(64, "no", "refer"), (65, "no", "urgent"), (30, "yes", "urgent"), (30, "no", "refer")],
)
def test_neck_injury_becomes_urgent_at_65_or_with_pins_and_needles(age, tingling, severity):
    answers = {"nk_trauma": "yes", "nk_limb_tingling": tingling}
    result = screen(answers, age=age, complaints={"neck"})
    assert result.highest_severity.id == severity


def test_an_unknown_age_leaves_age_rules_undetermined_not_negative():
    result = screen({"lb_first_episode": "yes"}, age=None, complaints={"low_back"})
    undetermined = {u.rule_id: u.needs for u in result.undetermined}
    assert undetermined["lb_age_at_onset"] == ("age",)
    assert not result.complete


def test_age_is_not_needed_when_another_branch_already_decides():
    answers = {"nk_trauma": "yes", "nk_limb_tingling": "yes"}
    result = screen(answers, age=None, complaints={"neck"})
    assert "nk_trauma_high_risk" in flagged(result)


# --- complaint filtering -------------------------------------------------------------------


def test_questions_follow_the_complaints():
    back = {q.id for q in questions_for({"low_back"})}
    headache = {q.id for q in questions_for({"headache"})}
    assert "lb_saddle_numbness" in back and "lb_saddle_numbness" not in headache
    assert "hd_thunderclap" in headache and "hd_thunderclap" not in back
    assert "any_cancer_history" in back and "any_cancer_history" in headache
    assert "any_weight_loss" not in headache, "no headache rule uses weight loss"


def test_questions_for_several_complaints_is_the_union_in_table_order():
    both = [q.id for q in questions_for({"low_back", "headache"})]
    assert set(both) == {q.id for q in questions_for({"low_back"})} | {
        q.id for q in questions_for({"headache"})
    }
    table_order = [q.id for q in TABLE.questions]
    assert both == sorted(both, key=table_order.index)


def test_a_sleep_complaint_alone_asks_only_the_sleep_screen():
    asked = {q.id for q in questions_for({"sleep"})}

    assert asked and all(question.startswith("sl_") for question in asked)
    assert not screen({}, age=40, complaints={"sleep"}).positive


def test_rules_for_other_complaints_do_not_run():
    result = screen({}, age=80, complaints={"headache"})
    assert all(rule.startswith("hd_") for rule in [u.rule_id for u in result.undetermined])


def test_answering_a_question_outside_the_complaints_is_an_error_not_a_silent_drop():
    with pytest.raises(RedFlagError, match="not part of the screen for headache"):
        screen({"lb_saddle_numbness": "yes"}, age=40, complaints={"headache"})


# --- unanswered, unsure, errors ------------------------------------------------------------


def test_unsure_and_unanswered_questions_are_listed_for_the_visit():
    answers = all_asked({"low_back"}, "no") | {"lb_saddle_numbness": "unsure"}
    del answers["lb_night_pain"]
    result = screen(answers, age=40, complaints={"low_back"})

    assert result.unsure == ("lb_saddle_numbness",)
    assert result.unanswered == ("lb_night_pain",)
    undetermined = {u.rule_id: u.needs for u in result.undetermined}
    assert undetermined == {
        "lb_cauda_equina": ("lb_saddle_numbness",),
        "lb_night_pain": ("lb_night_pain",),
    }
    assert not result.positive


def test_true_and_false_are_read_as_yes_and_no():
    result = screen({"hd_thunderclap": True, "hd_red_eye": False}, age=40, complaints={"headache"})
    assert flagged(result) == ["hd_thunderclap"]


@pytest.mark.parametrize(
    ("answers", "age", "complaints", "message"),
    [
        ({"hd_nonexistent": "yes"}, 40, {"headache"}, "Unknown red-flag question 'hd_nonexistent'"),
        ({"hd_thunderclap": "maybe"}, 40, {"headache"}, "'yes', 'no' or 'unsure'"),
        ({"hd_thunderclap": 1}, 40, {"headache"}, "'yes', 'no' or 'unsure'"),
        ({"hd_thunderclap": "Yes"}, 40, {"headache"}, "'yes', 'no' or 'unsure'"),
        ({}, 40, {"knee"}, "Unknown complaint"),
        ({}, 40, "neck", "set of complaint ids"),
        ({}, -1, {"neck"}, "outside 0..130"),
        ({}, 40.5, {"neck"}, "whole number"),
        ({}, True, {"neck"}, "whole number"),
        (["hd_thunderclap"], 40, {"headache"}, "mapping"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(answers, age, complaints, message):
    with pytest.raises(RedFlagError, match=message):
        screen(answers, age, complaints)


def test_the_result_serialises_with_sources_for_storage():
    data = screen({"hd_thunderclap": "yes"}, age=40, complaints={"headache"}).as_dict()
    assert data["positive"] is True
    assert data["highest_severity"] == "urgent"
    assert data["table_version"] == 2
    assert data["flags"][0]["sources"][0]["citation"]
    assert data["flags"][0]["action"].startswith("Do not start")


# --- properties ----------------------------------------------------------------------------

ANSWER = st.sampled_from(["yes", "no", "unsure", None])
PAIN_QUESTIONS = [q.id for q in questions_for(PAIN)]


@settings(max_examples=60, deadline=None)
@given(
    answers=st.fixed_dictionaries({}, optional=dict.fromkeys(PAIN_QUESTIONS, ANSWER)),
    age=st.one_of(st.none(), st.integers(0, 110)),
    flip=st.sampled_from(PAIN_QUESTIONS),
)
def test_the_screen_is_deterministic_ordered_and_monotone(answers, age, flip):
    first = screen(answers, age, PAIN)
    assert first == screen(dict(answers), age, PAIN)

    ranks = [flag.severity.rank for flag in first.flags]
    assert ranks == sorted(ranks)
    ids = flagged(first)
    assert len(ids) == len(set(ids))
    assert not set(ids) & {u.rule_id for u in first.undetermined}

    # No rule is negated, so turning an answer to "yes" can only add flags.
    more = screen(answers | {flip: "yes"}, age, PAIN)
    assert set(ids) <= set(flagged(more))
