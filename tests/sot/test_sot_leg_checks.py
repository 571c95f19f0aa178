"""Engine version 2: the new indicators, leg checks with their method, and the notes they add."""

import pytest

from sotclinic.sot import (
    ANATOMICAL_SHORT_LEG_NOTE,
    DISAGREEMENT_NOTE,
    INDICATORS,
    RESERVED_REASON_CODES,
    AnatomicalShortLeg,
    Findings,
    FindingsError,
    IndicatorFinding,
    LegCheck,
    analyze,
    validate_findings,
)


def check(method, short_side, confidence="high", difference_mm=None):
    entry = {"method": method, "short_side": short_side, "confidence": confidence}
    if difference_mm is not None:
        entry["difference_mm"] = difference_mm
    return entry


def paths_of(raw):
    with pytest.raises(FindingsError) as caught:
        validate_findings(raw)
    return [path for path, _ in caught.value.errors]


@pytest.mark.parametrize(
    ("code", "side", "category"),
    [
        ("dollar_sign", "left", "I"),
        ("crest_sign", "right", "I"),
        ("first_rib_tubercle_pain", "left", "II"),
        ("lateral_pelvic_sway", "bilateral", "II"),
        ("antalgic_posture", "bilateral", "III"),
    ],
)
def test_new_indicator_counts_for_its_category_and_is_rechecked(code, side, category):
    result = analyze(
        {"indicators": [{"code": code, "side": side}], "leg_length": {"prone_short_side": "left"}}
    ).as_dict()

    assert result["category"] == category
    assert result["status"] == "determined"
    assert code in result["protocol"]["recheck"]


def test_new_category_two_indicators_join_the_others_in_the_recheck_list_in_registry_order():
    result = analyze(
        {
            "indicators": [
                {"code": "lateral_pelvic_sway", "side": "bilateral"},
                {"code": "first_rib_tubercle_pain", "side": "left"},
                {"code": "arm_fossa_test", "side": "left"},
            ]
        }
    ).as_dict()

    assert (result["status"], result["category"], result["side"]) == ("determined", "II", "left")
    assert result["protocol"]["recheck"] == [
        "arm_fossa_test",
        "first_rib_tubercle_pain",
        "lateral_pelvic_sway",
    ]


def test_new_indicator_of_another_category_makes_a_conflict():
    result = analyze(
        {
            "indicators": [
                {"code": "dollar_sign", "side": "left"},
                {"code": "arm_fossa_test", "side": "left"},
            ]
        }
    ).as_dict()

    assert result["status"] == "conflict"
    assert result["category"] is None


def test_reason_names_the_prone_check_that_placed_the_blocks():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "bilateral"}],
            "leg_checks": [check("prone_knees_straight", "right", difference_mm=5)],
        }
    ).as_dict()

    assert result["side"] == "right"
    assert result["reasons"][-1] == {
        "code": "leg_length",
        "category": "II",
        "side": "right",
        "method": "prone_knees_straight",
    }


def test_knees_straight_check_is_used_before_the_knees_flexed_one_whatever_the_order():
    checks = [check("prone_knees_flexed", "left"), check("prone_knees_straight", "right")]

    forward = analyze(
        {"indicators": [{"code": "arm_fossa_test", "side": "bilateral"}], "leg_checks": checks}
    ).as_dict()
    backward = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "bilateral"}],
            "leg_checks": checks[::-1],
        }
    ).as_dict()

    assert forward == backward
    assert forward["side"] == "right"
    assert forward["reasons"][-1]["method"] == "prone_knees_straight"


def test_knees_flexed_check_places_the_blocks_when_it_is_the_only_prone_check():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "bilateral"}],
            "leg_checks": [check("prone_knees_flexed", "left", "medium")],
        }
    ).as_dict()

    assert result["side"] == "left"
    assert result["reasons"][-1]["method"] == "prone_knees_flexed"


def test_a_supine_check_alone_never_decides_the_side():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "bilateral"}],
            "leg_checks": [check("supine", "left")],
        }
    ).as_dict()

    assert result["status"] == "conflict"
    assert result["category"] == "II" and result["side"] is None
    assert [r["code"] for r in result["reasons"]] == ["arm_fossa_test"]


def test_prone_and_supine_checks_that_disagree_are_said_plainly():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "left"}],
            "leg_checks": [check("prone_knees_straight", "left"), check("supine", "right", "low")],
        }
    ).as_dict()

    assert result["status"] == "determined"
    assert result["reasons"][-1] == {
        "code": "leg_check_disagreement",
        "category": "II",
        "side": None,
        "detail": DISAGREEMENT_NOTE.note,
    }
    assert "42%" in DISAGREEMENT_NOTE.note
    assert "Cooperstein" in DISAGREEMENT_NOTE.source


def test_a_supine_check_finding_equal_legs_also_disagrees_with_a_short_prone_leg():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "left"}],
            "leg_checks": [check("prone_knees_straight", "left"), check("supine", "none")],
        }
    ).as_dict()

    assert "leg_check_disagreement" in [r["code"] for r in result["reasons"]]


def test_prone_and_supine_checks_that_agree_add_no_note():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "left"}],
            "leg_checks": [check("prone_knees_straight", "left"), check("supine", "left")],
        }
    ).as_dict()

    assert "leg_check_disagreement" not in [r["code"] for r in result["reasons"]]


def test_disagreement_is_noted_on_a_side_conflict_too():
    result = analyze(
        {
            "indicators": [
                {"code": "arm_fossa_test", "side": "left"},
                {"code": "medial_knee_sensitivity", "side": "right"},
            ],
            "leg_checks": [check("prone_knees_straight", "left"), check("supine", "right")],
        }
    ).as_dict()

    assert result["status"] == "conflict"
    assert result["reasons"][-1]["code"] == "leg_check_disagreement"


def test_anatomical_short_leg_adds_the_heel_lift_note_and_changes_nothing_else():
    plain = {"indicators": [{"code": "sciatic_pain_points", "side": "left"}]}
    flagged = {**plain, "anatomical_short_leg": {"status": "suspected", "side": "left"}}

    without = analyze(plain).as_dict()
    result = analyze(flagged).as_dict()

    assert result["reasons"][:-1] == without["reasons"]
    assert result["protocol"] == without["protocol"]
    assert result["reasons"][-1] == {
        "code": "anatomical_short_leg",
        "category": "III",
        "side": "left",
        "detail": ANATOMICAL_SHORT_LEG_NOTE.note,
    }
    assert "50%" in ANATOMICAL_SHORT_LEG_NOTE.note
    assert "Blum" in ANATOMICAL_SHORT_LEG_NOTE.source


def test_version_one_leg_length_gives_the_version_one_reason_without_a_method():
    result = analyze(
        {
            "indicators": [{"code": "arm_fossa_test", "side": "bilateral"}],
            "leg_length": {"prone_short_side": "left", "difference_mm": 6},
        }
    ).as_dict()

    assert result["reasons"][-1] == {"code": "leg_length", "category": "II", "side": "left"}


def test_reserved_reason_codes_are_never_indicator_codes():
    assert not set(RESERVED_REASON_CODES) & set(INDICATORS)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"leg_checks": [check("standing", "left")]}, "leg_checks[0].method"),
        ({"leg_checks": [{"method": "supine", "short_side": "left"}]}, "leg_checks[0].confidence"),
        ({"leg_checks": [{"method": "supine", "confidence": "low"}]}, "leg_checks[0].short_side"),
        ({"leg_checks": [check("supine", "up")]}, "leg_checks[0].short_side"),
        ({"leg_checks": [check("supine", "left", "sure")]}, "leg_checks[0].confidence"),
        (
            {"leg_checks": [check("supine", "left", difference_mm=-1)]},
            "leg_checks[0].difference_mm",
        ),
        ({"leg_checks": [check("supine", "none", difference_mm=4)]}, "leg_checks[0].difference_mm"),
        ({"leg_checks": [{**check("supine", "left"), "knees": 1}]}, "leg_checks[0]"),
        (
            {"leg_checks": [check("supine", "left"), check("supine", "right")]},
            "leg_checks[1].method",
        ),
        ({"leg_checks": "prone"}, "leg_checks"),
        (
            {"leg_checks": [check("supine", "left")], "leg_length": {"prone_short_side": "left"}},
            "leg_checks",
        ),
        ({"anatomical_short_leg": {"side": "left"}}, "anatomical_short_leg.status"),
        ({"anatomical_short_leg": {"status": "measured"}}, "anatomical_short_leg.side"),
        (
            {"anatomical_short_leg": {"status": "measured", "side": "bilateral"}},
            "anatomical_short_leg.side",
        ),
        (
            {"anatomical_short_leg": {"status": "guessed", "side": "left"}},
            "anatomical_short_leg.status",
        ),
        (
            {"anatomical_short_leg": {"status": "measured", "side": "left", "difference_mm": "9"}},
            "anatomical_short_leg.difference_mm",
        ),
        ({"anatomical_short_leg": "left"}, "anatomical_short_leg"),
    ],
)
def test_bad_leg_check_fields_are_refused_naming_the_field(raw, path):
    assert path in paths_of({"indicators": [], **raw})


def test_typed_findings_refuse_two_checks_of_the_same_method():
    with pytest.raises(FindingsError):
        Findings(leg_checks=(LegCheck("supine", "left", "high"), LegCheck("supine", None, "low")))


def test_findings_with_leg_checks_survive_a_round_trip_through_their_request_body():
    findings = Findings(
        indicators=(IndicatorFinding("dollar_sign", "left"),),
        leg_checks=(
            LegCheck("prone_knees_straight", "left", "high", 6),
            LegCheck("supine", None, "low"),
        ),
        anatomical_short_leg=AnatomicalShortLeg("measured", "left", 9),
    )

    assert validate_findings(findings.as_dict()) == findings
