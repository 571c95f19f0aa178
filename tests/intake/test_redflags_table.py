"""The red-flag table's shape: every rule sourced, every question used, broken tables refused."""

import copy
import json
from pathlib import Path

import pytest

from sotclinic.intake import instruments, redflags
from sotclinic.intake.redflags import RedFlagError, default_table, parse_table
from sotclinic.intake.redflags.table import condition_questions

DATA = Path(redflags.__file__).parent / "data"


def raw_files():
    return tuple(
        json.loads((DATA / name).read_text(encoding="utf-8"))
        for name in ("sources.json", "questions.json", "rules.json")
    )


TABLE = default_table()


def test_the_table_loads_with_questions_rules_and_sources():
    assert len(TABLE.questions) >= 30
    assert len(TABLE.rules) >= 25
    assert TABLE.version == 2


@pytest.mark.parametrize("rule", TABLE.rules, ids=lambda rule: rule.id)
def test_every_rule_has_a_source_an_explanation_and_a_known_severity(rule):
    assert rule.sources
    for source in rule.sources:
        assert source.citation.strip() and source.url.startswith("https://")
    assert rule.explanation.strip() and rule.title.strip()
    assert rule.severity.id in ("urgent", "refer", "review")


def test_every_source_is_cited_by_a_rule_the_caveat_or_the_patient_advice():
    cited = {s.id for rule in TABLE.rules for s in rule.sources}
    cited |= {s.id for s in TABLE.caveat_sources}
    cited |= {
        s.id for severity in TABLE.severities.values() for s in severity.patient_advice_sources
    }
    cited |= {s.id for rule in TABLE.rules for s in rule.patient_advice_sources}
    assert cited == set(TABLE.sources)


def test_the_most_urgent_severity_tells_the_patient_what_to_do_with_a_source():
    urgent = min(TABLE.severities.values(), key=lambda s: s.rank)

    assert "emergency" in urgent.patient_advice and urgent.patient_advice_sources


def test_a_table_whose_most_urgent_severity_has_no_patient_advice_is_refused():
    sources, questions, rules = raw_files()
    del rules["severities"]["urgent"]["patient_advice"]

    with pytest.raises(RedFlagError, match="urgent.patient_advice"):
        parse_table(sources, questions, rules)


def test_every_question_is_used_by_a_rule_and_written_for_the_patient():
    used = {q for rule in TABLE.rules for q in condition_questions(rule.when)}
    assert used == {q.id for q in TABLE.questions}
    for question in TABLE.questions:
        assert question.text.endswith("?"), question.id
        assert question.label.strip()


def test_the_red_flag_complaints_match_the_questionnaire_complaints():
    assert set(TABLE.complaints) == set(instruments.complaints())


def test_severities_are_ranked_urgent_first():
    ranks = {s.id: s.rank for s in TABLE.severities.values()}
    assert ranks["urgent"] < ranks["refer"] < ranks["review"]


@pytest.mark.parametrize(
    "topic",
    [
        "lb_cauda_equina",
        "spine_cancer_history",
        "spine_weight_loss",
        "spine_infection_fever",
        "lb_fracture_trauma",
        "lb_progressive_deficit",
        "lb_age_at_onset",
        "hd_thunderclap",
        "hd_neurological",
        "hd_new_over_50",
        "hd_fever",
        "hd_valsalva_or_posture",
        "hd_new_with_cancer",
        "hd_new_immunosuppressed",
        "nk_arterial_neuro",
        "nk_sudden_severe",
        "nk_trauma",
        "nk_myelopathy",
        "nk_inflammatory",
    ],
)
def test_the_table_covers_the_required_red_flags(topic):
    assert topic in {rule.id for rule in TABLE.rules}


def test_the_5ds_and_3ns_are_all_asked_for_neck_pain():
    asked = {q.id for q in redflags.questions_for({"neck"})}
    five_ds_three_ns = {
        "nk_dizziness",
        "nk_double_vision",
        "nk_speech",
        "nk_swallowing",
        "nk_drop_attacks",
        "nk_eye_flicker",
        "nk_nausea",
        "nk_face_numb",
    }
    assert five_ds_three_ns <= asked


# --- a broken table is refused at load, naming the problem -----------------------------------


def _broken(mutate):
    sources, questions, rules = copy.deepcopy(raw_files())
    mutate(sources, questions, rules)
    return sources, questions, rules


def rule(rules, rule_id):
    return next(r for r in rules["rules"] if r["id"] == rule_id)


BROKEN = {
    "unknown source": lambda s, q, r: rule(r, "hd_thunderclap")["sources"].append("nobody2024"),
    "must be a non-empty list": lambda s, q, r: rule(r, "hd_thunderclap").update(sources=[]),
    "unknown question": lambda s, q, r: rule(r, "hd_thunderclap").update(
        when={"answer": "hd_nonexistent"}
    ),
    "is not asked for 'headache'": lambda s, q, r: rule(r, "hd_thunderclap").update(
        when={"answer": "lb_saddle_numbness"}
    ),
    "no rule uses": lambda s, q, r: q["questions"].append(
        {"id": "hd_orphan", "regions": ["headache"], "label": "x", "text": "x?"}
    ),
    "severity: must be one of": lambda s, q, r: rule(r, "hd_thunderclap").update(severity="soon"),
    "unknown condition": lambda s, q, r: rule(r, "hd_thunderclap").update(
        when={"not": {"answer": "hd_thunderclap"}}
    ),
    "at least two conditions": lambda s, q, r: rule(r, "hd_thunderclap").update(
        when={"any": [{"answer": "hd_thunderclap"}]}
    ),
    "must be an age in years": lambda s, q, r: rule(r, "hd_new_over_50")["when"]["all"][1].update(
        age_over="fifty"
    ),
    "unknown region": lambda s, q, r: rule(r, "hd_thunderclap").update(regions=["knee"]),
    "defined twice": lambda s, q, r: s["sources"].append(dict(s["sources"][0])),
    "rule ids must be unique": lambda s, q, r: r["rules"].append(dict(r["rules"][0])),
}


@pytest.mark.parametrize(("message", "mutate"), BROKEN.items(), ids=list(BROKEN))
def test_a_broken_table_is_refused_with_the_problem_named(message, mutate):
    with pytest.raises(RedFlagError, match=message):
        parse_table(*_broken(mutate))


def test_the_shipped_files_parse_to_the_default_table():
    assert parse_table(*raw_files()) == default_table()
