"""Properties that must hold for every well-typed input, checked with Hypothesis."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sotclinic.sot import (
    INDICATORS,
    LEG_CHECK_METHODS,
    RESERVED_REASON_CODES,
    AnatomicalShortLeg,
    Findings,
    FindingsError,
    IndicatorFinding,
    LegCheck,
    LegLength,
    ProtocolTable,
    analyze,
    default_protocol_table,
    indicators_in_category,
    mirror_findings,
    mirror_side,
    validate_findings,
)

CODES = list(INDICATORS)
RESPONSE_FIELDS = ["status", "category", "side", "reasons", "protocol", "engine_version"]

indicator_findings = st.sampled_from(CODES).flatmap(
    lambda code: st.sampled_from(INDICATORS[code].sides).map(
        lambda side: IndicatorFinding(code, side)
    )
)
positive_mm = st.one_of(
    st.none(),
    st.integers(min_value=1, max_value=1000),
    st.floats(min_value=0.1, max_value=1000, allow_nan=False),
)
leg_lengths = st.one_of(
    st.none(),
    st.builds(LegLength, st.just(None), st.sampled_from([None, 0, 0.0])),
    st.builds(LegLength, st.sampled_from(["left", "right"]), positive_mm),
)
confidences = st.sampled_from(["high", "medium", "low"])


def leg_check_for(method):
    return st.one_of(
        st.builds(
            LegCheck, st.just(method), st.just(None), confidences, st.sampled_from([None, 0])
        ),
        st.builds(
            LegCheck, st.just(method), st.sampled_from(["left", "right"]), confidences, positive_mm
        ),
    )


leg_check_lists = st.lists(
    st.sampled_from(list(LEG_CHECK_METHODS)), unique=True, max_size=3
).flatmap(lambda methods: st.tuples(*(leg_check_for(m) for m in methods)))
anatomical_short_legs = st.one_of(
    st.none(),
    st.builds(
        AnatomicalShortLeg,
        st.sampled_from(["measured", "suspected"]),
        st.sampled_from(["left", "right"]),
        positive_mm,
    ),
)
indicator_lists = st.lists(indicator_findings, max_size=20).map(tuple)
typed_findings = st.one_of(
    st.builds(Findings, indicator_lists, leg_lengths),
    st.builds(Findings, indicator_lists, st.just(None), leg_check_lists, anatomical_short_legs),
)


def lateral_sides_of(code):
    return [side for side in INDICATORS[code].sides if side != "bilateral"]


def assert_valid_response(result):
    assert list(result) == RESPONSE_FIELDS
    assert result["engine_version"] == "2"
    assert result["status"] in ("determined", "conflict", "indeterminate")
    assert result["category"] in (None, "I", "II", "III")
    assert result["side"] in (None, "left", "right")
    for reason in result["reasons"]:
        assert list(reason)[:3] == ["code", "category", "side"]
        assert list(reason)[3:] in ([], ["method"], ["detail"])
        assert reason["code"] in INDICATORS or reason["code"] in RESERVED_REASON_CODES
        assert reason["category"] in ("I", "II", "III")
        if reason["code"] == "leg_check_disagreement":
            assert reason["side"] is None and reason["detail"]
        else:
            assert reason["side"] in ("left", "right", "bilateral")
    if result["status"] == "indeterminate":
        assert result["category"] is None and result["side"] is None
        assert result["protocol"] is None and result["reasons"] == []
    elif result["status"] == "conflict":
        assert result["category"] is None or result["side"] is None
        assert result["protocol"] is None and result["reasons"]
    else:
        assert result["category"] is not None and result["side"] is not None
        protocol = result["protocol"]
        assert list(protocol) == ["position", "blocks", "recheck"]
        assert protocol["position"] in ("prone", "supine")
        for block in protocol["blocks"]:
            assert list(block) == ["side", "landmark", "angle_degrees", "source"]
            assert block["side"] in ("left", "right")
            assert 0 <= block["angle_degrees"] <= 90
            assert block["landmark"] and block["source"]
        indicator_reasons = [r["code"] for r in result["reasons"] if r["code"] in INDICATORS]
        assert protocol["recheck"] == indicator_reasons
        assert all(INDICATORS[code].category == result["category"] for code in protocol["recheck"])


@settings(max_examples=300)
@given(typed_findings)
def test_any_well_typed_findings_give_a_valid_json_result(findings):
    result = analyze(findings).as_dict()

    assert_valid_response(result)
    assert json.loads(json.dumps(result)) == result


@settings(max_examples=200)
@given(typed_findings, st.randoms(use_true_random=False))
def test_result_is_deterministic_and_independent_of_input_order(findings, random):
    shuffled = list(findings.indicators)
    random.shuffle(shuffled)
    shuffled_checks = list(findings.leg_checks)
    random.shuffle(shuffled_checks)
    reordered = Findings(
        tuple(shuffled), findings.leg_length, tuple(shuffled_checks), findings.anatomical_short_leg
    )

    first = json.dumps(analyze(findings).as_dict())

    assert first == json.dumps(analyze(findings).as_dict())
    assert first == json.dumps(analyze(reordered).as_dict())


@settings(max_examples=200)
@given(typed_findings)
def test_a_body_round_trips_through_validation_to_the_same_result(findings):
    body = json.loads(json.dumps(findings.as_dict()))

    assert analyze(body) == analyze(findings)


@settings(max_examples=300)
@given(typed_findings)
def test_mirroring_every_side_mirrors_the_result(findings):
    result = analyze(findings)
    mirrored = analyze(mirror_findings(findings))

    assert mirrored.status == result.status
    assert mirrored.category == result.category
    assert mirrored.side == mirror_side(result.side)
    if result.protocol is None:
        assert mirrored.protocol is None
    else:
        assert [b.side for b in mirrored.protocol.blocks] == [
            mirror_side(b.side) for b in result.protocol.blocks
        ]
        assert [b.landmark for b in mirrored.protocol.blocks] == [
            b.landmark for b in result.protocol.blocks
        ]
        assert mirrored.protocol.recheck == result.protocol.recheck
    assert sorted(
        (r.code, r.side or "", r.method or "", r.detail or "") for r in mirrored.reasons
    ) == sorted(
        (r.code, mirror_side(r.side) or "", r.method or "", r.detail or "") for r in result.reasons
    )


@settings(max_examples=300)
@given(
    st.sampled_from(["I", "II", "III"]),
    st.sampled_from(["left", "right"]),
    st.data(),
    leg_lengths,
)
def test_one_category_all_on_one_side_is_determined_with_that_category_and_side(
    category, side, data, leg_length
):
    codes = [i.code for i in indicators_in_category(category) if side in lateral_sides_of(i.code)]
    chosen = data.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=10))
    findings = Findings(tuple(IndicatorFinding(code, side) for code in chosen), leg_length)

    result = analyze(findings)

    assert (result.status, result.category, result.side) == ("determined", category, side)
    assert result.protocol is not None


@given(leg_lengths, leg_check_lists, anatomical_short_legs)
def test_the_empty_set_is_indeterminate_whatever_the_leg_check(leg_length, checks, anatomical):
    findings = Findings((), leg_length) if leg_length else Findings((), None, checks, anatomical)

    result = analyze(findings)

    assert result.status == "indeterminate"
    assert result.category is None
    assert result.protocol is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        CODES
        + ["left", "right", "bilateral", "none", "code", "side"]
        + list(LEG_CHECK_METHODS)
        + ["high", "low", "measured", "suspected"]
    ),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "indicators",
                    "leg_length",
                    "code",
                    "side",
                    "prone_short_side",
                    "difference_mm",
                    "leg_checks",
                    "anatomical_short_leg",
                    "method",
                    "short_side",
                    "confidence",
                    "status",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=500)
@given(json_values)
def test_validation_either_accepts_or_raises_findings_error_naming_a_field(raw):
    try:
        findings = validate_findings(raw)
    except FindingsError as error:
        assert error.errors
        assert all(path and message for path, message in error.errors)
    else:
        assert_valid_response(analyze(findings).as_dict())


def clinic_tables():
    base = default_protocol_table().as_dict()

    @st.composite
    def build(draw):
        raw = json.loads(json.dumps(base))
        for entry in raw["categories"].values():
            entry["position"] = draw(st.sampled_from(["prone", "supine"]))
            entry["blocks_keyed_by"] = draw(st.sampled_from(["short_leg_side", "finding_side"]))
            for side in ("left", "right"):
                entry["blocks"][side] = draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "side": st.sampled_from(["left", "right"]),
                                "landmark": st.text(min_size=1, max_size=30).filter(str.strip),
                                "angle_degrees": st.one_of(
                                    st.integers(0, 90), st.floats(0, 90, allow_nan=False)
                                ),
                                "source": st.just("clinic preference"),
                            }
                        ),
                        max_size=4,
                    )
                )
        return raw

    return build()


# Building a whole clinic table per example is slow on a busy machine; the test is about the
# result, not generation speed.
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(clinic_tables(), typed_findings)
def test_any_valid_clinic_table_round_trips_and_never_makes_analyze_raise(raw, findings):
    table = ProtocolTable.from_dict(raw)

    assert ProtocolTable.from_dict(table.as_dict()) == table
    result = analyze(findings, table).as_dict()
    assert_valid_response(result)
    assert not any(
        isinstance(b["angle_degrees"], float) and math.isnan(b["angle_degrees"])
        for b in (result["protocol"] or {}).get("blocks", [])
    )


@settings(max_examples=200)
@given(st.builds(Findings, indicator_lists, leg_lengths))
def test_a_version_one_body_gets_only_version_one_reasons(findings):
    result = analyze(findings).as_dict()

    assert all(list(reason) == ["code", "category", "side"] for reason in result["reasons"])
    assert all(
        reason["code"] in INDICATORS or reason["code"] == "leg_length"
        for reason in result["reasons"]
    )
