"""The category, side, leg-length and duplicate rules of the analysis, one story per test."""

import json

import pytest

from sotclinic.sot import (
    Findings,
    IndicatorFinding,
    LegLength,
    ProtocolTable,
    analyze,
    default_protocol_table,
)

CATEGORY_CODES = {
    "I": ["achilles_tension", "gluteal_tension_asymmetry", "sacrospinalis_tension_asymmetry"],
    "II": [
        "arm_fossa_test",
        "medial_knee_sensitivity",
        "lateral_knee_sensitivity",
        "inguinal_ligament_sensitivity",
        "anterior_scalene_sensitivity",
    ],
    "III": ["sciatic_pain_points", "gluteal_pain_point", "mid_calf_pain_point"],
}
POSITION = {"I": "prone", "II": "supine", "III": "prone"}


def body(*indicators, leg_length=None):
    result = {"indicators": [{"code": code, "side": side} for code, side in indicators]}
    if leg_length is not None:
        result["leg_length"] = leg_length
    return result


def block_sides(result):
    return [block["side"] for block in result["protocol"]["blocks"]]


@pytest.mark.parametrize("category", ["I", "II", "III"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_one_category_on_one_side_is_determined_with_that_category_and_side(category, side):
    codes = CATEGORY_CODES[category]

    result = analyze(body(*((code, side) for code in codes))).as_dict()

    assert result["status"] == "determined"
    assert result["category"] == category
    assert result["side"] == side
    assert [r["code"] for r in result["reasons"]] == codes
    assert all(r["category"] == category and r["side"] == side for r in result["reasons"])
    assert result["protocol"]["position"] == POSITION[category]
    assert result["protocol"]["recheck"] == codes
    assert block_sides(result)[0] == side
    assert result["engine_version"] == "2"


def test_example_from_the_reference_gives_category_two_left_supine():
    result = analyze(
        {
            "leg_length": {"prone_short_side": "left", "difference_mm": 6},
            "indicators": [
                {"code": "arm_fossa_test", "side": "left"},
                {"code": "inguinal_ligament_sensitivity", "side": "left"},
            ],
        }
    ).as_dict()

    assert list(result) == [
        "status",
        "category",
        "side",
        "reasons",
        "protocol",
        "engine_version",
    ]
    assert (result["status"], result["category"], result["side"]) == ("determined", "II", "left")
    assert list(result["protocol"]) == ["position", "blocks", "recheck"]
    assert result["protocol"]["position"] == "supine"
    assert result["protocol"]["recheck"] == ["arm_fossa_test", "inguinal_ligament_sensitivity"]
    assert list(result["protocol"]["blocks"][0]) == ["side", "landmark", "angle_degrees", "source"]


def test_empty_findings_are_indeterminate_with_no_category_or_protocol():
    result = analyze({"indicators": []}).as_dict()

    assert result == {
        "status": "indeterminate",
        "category": None,
        "side": None,
        "reasons": [],
        "protocol": None,
        "engine_version": "2",
    }


def test_leg_length_alone_is_still_indeterminate():
    result = analyze(body(leg_length={"prone_short_side": "right", "difference_mm": 4}))

    assert result.status == "indeterminate"
    assert result.protocol is None


def test_indicators_of_two_categories_conflict_with_category_null_and_all_reasons_shown():
    result = analyze(body(("sciatic_pain_points", "left"), ("arm_fossa_test", "left"))).as_dict()

    assert result["status"] == "conflict"
    assert result["category"] is None
    assert result["side"] is None
    assert result["protocol"] is None
    assert result["reasons"] == [
        {"code": "arm_fossa_test", "category": "II", "side": "left"},
        {"code": "sciatic_pain_points", "category": "III", "side": "left"},
    ]


def test_three_categories_conflict_even_with_a_short_leg_recorded():
    result = analyze(
        body(
            ("mid_calf_pain_point", "right"),
            ("achilles_tension", "right"),
            ("medial_knee_sensitivity", "right"),
            leg_length={"prone_short_side": "right", "difference_mm": 3},
        )
    )

    assert result.status == "conflict"
    assert [r.category for r in result.reasons] == ["I", "II", "III"]
    assert all(r.code != "leg_length" for r in result.reasons)


def test_left_and_right_findings_in_one_category_conflict_on_side_keeping_category():
    result = analyze(
        body(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "right"))
    ).as_dict()

    assert result["status"] == "conflict"
    assert result["category"] == "II"
    assert result["side"] is None
    assert result["protocol"] is None
    assert [(r["code"], r["side"]) for r in result["reasons"]] == [
        ("arm_fossa_test", "left"),
        ("inguinal_ligament_sensitivity", "right"),
    ]


def test_side_conflict_is_not_settled_by_the_short_leg():
    result = analyze(
        body(
            ("achilles_tension", "left"),
            ("gluteal_tension_asymmetry", "right"),
            leg_length={"prone_short_side": "left", "difference_mm": 5},
        )
    )

    assert (result.status, result.category, result.side) == ("conflict", "I", None)


def test_bilateral_findings_do_not_decide_side_when_a_lateral_finding_does():
    result = analyze(
        body(("achilles_tension", "bilateral"), ("sacrospinalis_tension_asymmetry", "right"))
    ).as_dict()

    assert (result["status"], result["category"], result["side"]) == ("determined", "I", "right")
    assert ("achilles_tension", "bilateral") in [(r["code"], r["side"]) for r in result["reasons"]]
    assert result["protocol"]["recheck"] == ["achilles_tension", "sacrospinalis_tension_asymmetry"]


def test_only_bilateral_findings_without_short_leg_conflict_with_side_null():
    result = analyze(
        body(("sciatic_pain_points", "bilateral"), ("gluteal_pain_point", "bilateral"))
    )

    assert (result.status, result.category, result.side) == ("conflict", "III", None)
    assert result.protocol is None
    assert [r.side for r in result.reasons] == ["bilateral", "bilateral"]


@pytest.mark.parametrize("short_side", ["left", "right"])
def test_only_bilateral_findings_take_side_from_the_short_leg(short_side):
    result = analyze(
        body(
            ("arm_fossa_test", "bilateral"),
            leg_length={"prone_short_side": short_side, "difference_mm": 8},
        )
    ).as_dict()

    assert (result["status"], result["category"], result["side"]) == (
        "determined",
        "II",
        short_side,
    )
    assert result["reasons"][-1] == {"code": "leg_length", "category": "II", "side": short_side}
    assert block_sides(result)[0] == short_side


@pytest.mark.parametrize("short_side", [None, "none"])
def test_equal_legs_do_not_break_a_bilateral_tie(short_side):
    result = analyze(
        body(("medial_knee_sensitivity", "bilateral"), leg_length={"prone_short_side": short_side})
    )

    assert (result.status, result.side) == ("conflict", None)


def test_short_leg_places_the_blocks_but_does_not_change_the_findings_side():
    result = analyze(
        body(
            ("achilles_tension", "left"),
            leg_length={"prone_short_side": "right", "difference_mm": 6},
        )
    ).as_dict()

    assert result["side"] == "left"
    assert block_sides(result)[0] == "right"
    expected = [b.as_dict() for b in default_protocol_table().category("I").blocks["right"]]
    assert result["protocol"]["blocks"] == expected
    assert result["reasons"][-1] == {"code": "leg_length", "category": "I", "side": "right"}


def test_without_a_short_leg_blocks_follow_the_findings_side_and_no_leg_reason_is_given():
    result = analyze(body(("mid_calf_pain_point", "right"))).as_dict()

    assert block_sides(result)[0] == "right"
    assert all(r["code"] != "leg_length" for r in result["reasons"])


def test_leg_length_difference_does_not_change_the_suggestion():
    small = analyze(
        body(
            ("sciatic_pain_points", "left"),
            leg_length={"prone_short_side": "left", "difference_mm": 1},
        )
    )
    large = analyze(
        body(
            ("sciatic_pain_points", "left"),
            leg_length={"prone_short_side": "left", "difference_mm": 25},
        )
    )

    assert small == large


def test_table_keyed_by_finding_side_ignores_the_short_leg_for_blocks():
    raw = default_protocol_table().as_dict()
    raw["categories"]["I"]["blocks_keyed_by"] = "finding_side"
    table = ProtocolTable.from_dict(raw)

    result = analyze(
        body(
            ("achilles_tension", "left"),
            leg_length={"prone_short_side": "right", "difference_mm": 6},
        ),
        table,
    ).as_dict()

    assert block_sides(result)[0] == "left"
    assert all(r["code"] != "leg_length" for r in result["reasons"])


def test_a_clinic_table_supplies_position_and_blocks():
    raw = default_protocol_table().as_dict()
    raw["categories"]["III"]["position"] = "supine"
    raw["categories"]["III"]["blocks"]["left"] = [
        {"side": "left", "landmark": "clinic landmark", "angle_degrees": 30, "source": "Dr A, 2025"}
    ]
    table = ProtocolTable.from_dict(raw)

    result = analyze(body(("gluteal_pain_point", "left")), table).as_dict()

    assert result["protocol"]["position"] == "supine"
    assert result["protocol"]["blocks"] == [
        {"side": "left", "landmark": "clinic landmark", "angle_degrees": 30, "source": "Dr A, 2025"}
    ]


def test_duplicate_code_on_the_same_side_counts_once():
    result = analyze(
        body(("arm_fossa_test", "right"), ("arm_fossa_test", "right"), ("arm_fossa_test", "right"))
    )

    assert result.status == "determined"
    assert [(r.code, r.side) for r in result.reasons] == [("arm_fossa_test", "right")]
    assert result.protocol.recheck == ("arm_fossa_test",)


def test_duplicate_code_on_left_and_right_merges_to_bilateral():
    result = analyze(
        body(
            ("lateral_knee_sensitivity", "left"),
            ("lateral_knee_sensitivity", "right"),
            ("inguinal_ligament_sensitivity", "left"),
        )
    )

    assert (result.status, result.side) == ("determined", "left")
    assert ("lateral_knee_sensitivity", "bilateral") in [(r.code, r.side) for r in result.reasons]


def test_duplicate_code_with_bilateral_merges_to_bilateral():
    result = analyze(body(("sciatic_pain_points", "bilateral"), ("sciatic_pain_points", "left")))

    assert [(r.code, r.side) for r in result.reasons] == [("sciatic_pain_points", "bilateral")]
    assert (result.status, result.side) == ("conflict", None)


def test_reasons_do_not_depend_on_input_order():
    findings = [
        ("mid_calf_pain_point", "left"),
        ("sciatic_pain_points", "left"),
        ("gluteal_pain_point", "bilateral"),
    ]

    forward = json.dumps(analyze(body(*findings)).as_dict())
    backward = json.dumps(analyze(body(*reversed(findings))).as_dict())

    assert forward == backward
    assert [r["code"] for r in json.loads(forward)["reasons"]] == [
        "sciatic_pain_points",
        "gluteal_pain_point",
        "mid_calf_pain_point",
    ]


def test_typed_findings_give_the_same_result_as_the_body():
    typed = Findings(
        indicators=(IndicatorFinding("inguinal_ligament_sensitivity", "right"),),
        leg_length=LegLength("right", 4),
    )

    assert analyze(typed) == analyze(
        body(
            ("inguinal_ligament_sensitivity", "right"),
            leg_length={"prone_short_side": "right", "difference_mm": 4},
        )
    )


def test_as_dict_is_json_serialisable_and_stable():
    result = analyze(body(("achilles_tension", "right"), ("gluteal_tension_asymmetry", "right")))

    first = json.dumps(result.as_dict())
    assert first == json.dumps(result.as_dict())
    assert json.loads(first) == result.as_dict()
