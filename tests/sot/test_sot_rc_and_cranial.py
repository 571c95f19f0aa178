"""R+C factor pairs as a recordable finding, and the cranial procedures with their evidence."""

import json

import pytest

from sotclinic.sot import (
    CRANIAL_EVIDENCE,
    CRANIAL_ITEMS,
    RC_PAIRS,
    FindingsError,
    parse_rc_factors,
    validate_rc_finding,
)


def test_only_the_two_pairs_the_reference_names_are_shipped_each_with_its_source():
    # The reference goes on "and so on to the mid-thoracic region" without naming the further
    # pairs: they stay for the clinic to add, never filled in by inference.
    assert [(p.upper, p.lower) for p in RC_PAIRS.values()] == [("C1", "L5"), ("C2", "L4")]
    assert not any(p.derived for p in RC_PAIRS.values())
    assert all("not read" in p.source for p in RC_PAIRS.values())


def test_a_finding_records_pair_side_and_response():
    finding = validate_rc_finding({"pair": "C2-L4", "side": "right", "response": " eased "})

    assert finding.as_dict() == {"pair": "C2-L4", "side": "right", "response": "eased"}


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"side": "left"}, "rc_factor.pair"),
        ({"pair": "C1-L4", "side": "left"}, "rc_factor.pair"),
        ({"pair": "C1-L5"}, "rc_factor.side"),
        ({"pair": "C1-L5", "side": "up"}, "rc_factor.side"),
        ({"pair": "C1-L5", "side": "left", "response": "x" * 201}, "rc_factor.response"),
        ({"pair": "C1-L5", "side": "left", "response": 3}, "rc_factor.response"),
        ({"pair": "C1-L5", "side": "left", "level": "C1"}, "rc_factor"),
        (["C1-L5"], "rc_factor"),
    ],
)
def test_a_malformed_finding_is_refused_naming_the_field(raw, path):
    with pytest.raises(FindingsError) as caught:
        validate_rc_finding(raw)

    assert path in [p for p, _ in caught.value.errors]


def test_a_clinic_table_replaces_the_shipped_pairs():
    table = parse_rc_factors(
        {
            "pairs": [
                {
                    "code": "C1-L5",
                    "upper": "C1",
                    "lower": "L5",
                    "derived": False,
                    "source": "clinic's SOT manual",
                }
            ]
        }
    )

    assert validate_rc_finding({"pair": "C1-L5", "side": "left"}, pairs=table).pair == "C1-L5"
    with pytest.raises(FindingsError):
        validate_rc_finding({"pair": "C2-L4", "side": "left"}, pairs=table)


@pytest.mark.parametrize(
    "raw",
    [
        {"pairs": []},
        {
            "pairs": [
                {"code": "C1-L5", "upper": "C1", "lower": "L9", "derived": False, "source": "x"}
            ]
        },
        {
            "pairs": [
                {"code": "C1-L4", "upper": "C1", "lower": "L5", "derived": False, "source": "x"}
            ]
        },
        {
            "pairs": [
                {"code": "C1-L5", "upper": "C1", "lower": "L5", "derived": False, "source": ""}
            ]
        },
    ],
)
def test_a_malformed_pair_table_is_refused(raw):
    with pytest.raises(ValueError):
        parse_rc_factors(json.loads(json.dumps(raw)))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("basic_cranial_1", "Basic cranial I"),
        ("basic_cranial_2", "Basic cranial II"),
        ("basic_cranial_3", "Basic cranial III"),
        ("antidote", "Antidote"),
        ("cranial_range_of_motion", "Cranial range of motion"),
    ],
)
def test_the_core_sot_cranial_procedures_are_listed_with_their_source(code, name):
    item = CRANIAL_ITEMS[code]

    assert (item.name, item.kind) == (name, "procedure")
    assert "SOTO Europe module 4" in item.source and "not read" in item.source


def test_the_cranial_evidence_statement_is_kept_with_its_source():
    assert "weak and inconsistent" in CRANIAL_EVIDENCE.statement
    assert "Guillaud" in CRANIAL_EVIDENCE.source
    assert "no claim" in CRANIAL_EVIDENCE.statement
