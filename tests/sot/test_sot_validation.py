"""Bad findings are refused with a FindingsError that names the field at fault."""

import pytest

from sotclinic.sot import (
    Findings,
    FindingsError,
    IndicatorFinding,
    LegLength,
    analyze,
    mirror_findings,
    validate_findings,
)


def error_for(raw):
    with pytest.raises(FindingsError) as caught:
        validate_findings(raw)
    return caught.value


def test_findings_error_is_a_value_error_with_paths():
    error = error_for({"indicators": [{"code": "nope", "side": "left"}]})

    assert isinstance(error, ValueError)
    assert error.path == "indicators[0].code"
    assert error.as_list()[0]["path"] == "indicators[0].code"


def test_missing_body_is_refused():
    error = error_for(None)

    assert error.path == "body"
    assert "required" in error.message


@pytest.mark.parametrize("raw", [[], "indicators", 3, 2.5, True])
def test_non_object_body_is_refused(raw):
    error = error_for(raw)

    assert error.path == "body"
    assert "must be a JSON object" in error.message


def test_body_without_indicators_is_refused():
    assert error_for({}).path == "indicators"


def test_unknown_top_level_field_is_refused():
    error = error_for({"indicators": [], "indicator": []})

    assert (
        str(error) == "body: unknown field 'indicator'; allowed: "
        "indicators, leg_length, leg_checks, anatomical_short_leg"
    )


@pytest.mark.parametrize("value", [None, "arm_fossa_test", {"code": "x"}, 7])
def test_indicators_that_are_not_a_list_are_refused(value):
    error = error_for({"indicators": value})

    assert error.path == "indicators"
    assert "must be a list" in error.message


def test_too_many_indicators_are_refused():
    error = error_for({"indicators": [{"code": "arm_fossa_test", "side": "left"}] * 101})

    assert error.path == "indicators"


def test_unknown_code_names_the_entry():
    error = error_for(
        {
            "indicators": [
                {"code": "arm_fossa_test", "side": "left"},
                {"code": "heel_tension", "side": "left"},
            ]
        }
    )

    assert error.path == "indicators[1].code"
    assert "unknown indicator code 'heel_tension'" in error.message


def test_bad_side_names_the_entry_and_lists_the_allowed_sides():
    error = error_for(
        {
            "indicators": [
                {"code": "arm_fossa_test", "side": "left"},
                {"code": "arm_fossa_test", "side": "both"},
            ]
        }
    )

    assert str(error) == "indicators[1].side: must be one of left, right, bilateral"


def test_side_outside_the_indicators_own_sides_is_refused():
    error = error_for(
        {"indicators": [{"code": "anterior_scalene_sensitivity", "side": "bilateral"}]}
    )

    assert str(error) == (
        "indicators[0].side: must be one of left, right for anterior_scalene_sensitivity"
    )


@pytest.mark.parametrize(
    "entry, path",
    [
        ({"side": "left"}, "indicators[0].code"),
        ({"code": "arm_fossa_test"}, "indicators[0].side"),
        ({"code": 5, "side": "left"}, "indicators[0].code"),
        ({"code": "arm_fossa_test", "side": None}, "indicators[0].side"),
        ({"code": "arm_fossa_test", "side": "LEFT"}, "indicators[0].side"),
        ({"code": "arm_fossa_test", "side": "left", "note": "x"}, "indicators[0]"),
        ("arm_fossa_test", "indicators[0]"),
        (None, "indicators[0]"),
    ],
)
def test_wrongly_typed_indicator_entries_name_the_field(entry, path):
    assert error_for({"indicators": [entry]}).path == path


def test_every_problem_is_reported_at_once():
    error = error_for(
        {
            "indicators": [{"code": "x", "side": "left"}, {"code": "arm_fossa_test", "side": 1}],
            "leg_length": {"prone_short_side": "up"},
        }
    )

    assert [path for path, _ in error.errors] == [
        "indicators[0].code",
        "indicators[1].side",
        "leg_length.prone_short_side",
    ]


@pytest.mark.parametrize(
    "leg_length, path",
    [
        ("left", "leg_length"),
        ([], "leg_length"),
        ({"prone_short_side": "middle"}, "leg_length.prone_short_side"),
        ({"prone_short_side": 1}, "leg_length.prone_short_side"),
        ({"prone_short_side": "left", "difference_mm": "6"}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": True}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": -1}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": float("nan")}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": float("inf")}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": 5000}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "difference_mm": 0}, "leg_length.difference_mm"),
        ({"prone_short_side": "none", "difference_mm": 4}, "leg_length.difference_mm"),
        ({"prone_short_side": "left", "mm": 4}, "leg_length"),
    ],
)
def test_bad_leg_length_names_the_field(leg_length, path):
    assert error_for({"indicators": [], "leg_length": leg_length}).path == path


@pytest.mark.parametrize(
    "leg_length, expected",
    [
        (None, None),
        ({}, LegLength(None, None)),
        ({"prone_short_side": None}, LegLength(None, None)),
        ({"prone_short_side": "none", "difference_mm": 0}, LegLength(None, 0)),
        ({"prone_short_side": "left"}, LegLength("left", None)),
        ({"prone_short_side": "right", "difference_mm": 6.5}, LegLength("right", 6.5)),
    ],
)
def test_good_leg_length_is_accepted(leg_length, expected):
    assert validate_findings({"indicators": [], "leg_length": leg_length}).leg_length == expected


def test_valid_body_becomes_typed_findings():
    findings = validate_findings(
        {
            "indicators": [{"code": "achilles_tension", "side": "bilateral"}],
            "leg_length": {"prone_short_side": "left", "difference_mm": 3},
        }
    )

    assert findings == Findings(
        (IndicatorFinding("achilles_tension", "bilateral"),), LegLength("left", 3)
    )
    assert validate_findings(findings.as_dict()) == findings


def test_analyze_validates_a_raw_body_first():
    with pytest.raises(FindingsError, match=r"indicators\[0\]\.side"):
        analyze({"indicators": [{"code": "arm_fossa_test", "side": "up"}]})


def test_typed_findings_refuse_malformed_values_on_construction():
    with pytest.raises(FindingsError):
        IndicatorFinding("not_a_code", "left")
    with pytest.raises(FindingsError):
        IndicatorFinding("gluteal_tension_asymmetry", "bilateral")
    with pytest.raises(FindingsError):
        LegLength("up", 3)
    with pytest.raises(FindingsError):
        Findings(indicators=("arm_fossa_test",))


def test_mirror_findings_swaps_every_side_and_keeps_the_rest():
    findings = Findings(
        (
            IndicatorFinding("arm_fossa_test", "left"),
            IndicatorFinding("achilles_tension", "bilateral"),
        ),
        LegLength("right", 4),
    )

    mirrored = mirror_findings(findings)

    assert mirrored == Findings(
        (
            IndicatorFinding("arm_fossa_test", "right"),
            IndicatorFinding("achilles_tension", "bilateral"),
        ),
        LegLength("left", 4),
    )
    assert mirror_findings(mirrored) == findings
