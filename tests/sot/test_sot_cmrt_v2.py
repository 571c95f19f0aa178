"""CMRT as SOT teaches it: three lines (kinds of finding) × seven areas per side, and the mapping
of entries recorded under the version-1 layout."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sotclinic.sot import (
    CMRT_AREA_TABLE,
    CMRT_AREAS,
    OCCIPITAL_LINES,
    OLD_LAYOUT_LABEL,
    TRAPEZIUS_SOURCE,
    CmrtFinding,
    FindingsError,
    area_level,
    cmrt_lookup,
    map_v1_cmrt_entry,
    reflex_area_for_level,
    validate_area_levels,
    validate_cmrt_finding,
    validate_cmrt_findings,
)


def error_paths(raw):
    with pytest.raises(FindingsError) as caught:
        validate_cmrt_finding(raw)
    return [path for path, _ in caught.value.errors]


def test_the_three_lines_are_kinds_of_finding_upper_to_lower():
    assert [(n, line.kind) for n, line in OCCIPITAL_LINES.items()] == [
        (1, "meningeal"),
        (2, "reflex_arc"),
        (3, "structural"),
    ]
    assert all(line.source for line in OCCIPITAL_LINES.values())


def test_seven_areas_per_line_have_no_level_until_a_clinic_fills_them_in():
    assert CMRT_AREAS == (1, 2, 3, 4, 5, 6, 7)
    assert [CMRT_AREA_TABLE[a].vertebral_level for a in CMRT_AREAS] == [None] * 7
    assert all("left empty rather than guessed" in CMRT_AREA_TABLE[a].source for a in CMRT_AREAS)


def test_only_the_sourced_reflex_areas_are_filled():
    assert reflex_area_for_level("T5").reflex_area == "stomach"
    assert reflex_area_for_level("T8").reflex_area == "liver"
    assert reflex_area_for_level("T9").reflex_area == "adrenals"
    assert reflex_area_for_level("T6") is None


def test_a_clinic_area_table_gives_the_area_its_level():
    levels = validate_area_levels({"3": "T5", 4: "T8"})

    assert area_level(3, levels) == "T5"
    assert area_level(4, levels) == "T8"
    assert area_level(5, levels) is None
    assert area_level(3) is None


@pytest.mark.parametrize("raw", [{"8": "T5"}, {"3": "T13"}, {"3": 5}, []])
def test_a_malformed_clinic_area_table_is_refused(raw):
    with pytest.raises(FindingsError):
        validate_area_levels(raw)


def test_a_finding_records_line_area_side_level_and_the_trapezius_at_that_level():
    finding = validate_cmrt_finding(
        {
            "line": 2,
            "area": 3,
            "side": "right",
            "vertebral_level": "T5",
            "reflex_area": "stomach",
            "trapezius_confirmed": True,
        }
    )

    assert finding.kind == "reflex_arc"
    assert finding.as_dict()["trapezius_confirmed"] is True
    assert validate_cmrt_finding(finding.as_dict()) == finding
    assert "trapezius" in TRAPEZIUS_SOURCE


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"area": 1, "side": "left"}, "cmrt.line"),
        ({"line": 4, "area": 1, "side": "left"}, "cmrt.line"),
        ({"line": 1.5, "area": 1, "side": "left"}, "cmrt.line"),
        ({"line": [1], "area": 1, "side": "left"}, "cmrt.line"),
        ({"line": 1, "area": 0, "side": "left"}, "cmrt.area"),
        ({"line": 1, "area": True, "side": "left"}, "cmrt.area"),
        ({"line": 1, "area": 1, "side": "bilateral"}, "cmrt.side"),
        ({"line": 1, "area": 1}, "cmrt.side"),
        ({"line": 1, "area": 1, "side": "left", "vertebral_level": "T13"}, "cmrt.vertebral_level"),
        ({"line": 1, "area": 1, "side": "left", "reflex_area": ""}, "cmrt.reflex_area"),
        (
            {"line": 1, "area": 1, "side": "left", "trapezius_confirmed": True},
            "cmrt.trapezius_confirmed",
        ),
        (
            {
                "line": 1,
                "area": 1,
                "side": "left",
                "trapezius_confirmed": "yes",
                "vertebral_level": "T5",
            },
            "cmrt.trapezius_confirmed",
        ),
        ({"line": 1, "area": 1, "side": "left", "position": 1}, "cmrt"),
        ("line 1", "cmrt"),
    ],
)
def test_a_malformed_finding_is_refused_naming_the_field(raw, path):
    assert path in error_paths(raw)


def test_a_list_of_findings_names_the_entry_at_fault():
    with pytest.raises(FindingsError) as caught:
        validate_cmrt_findings(
            [{"line": 1, "area": 1, "side": "left"}, {"line": 1, "area": 9, "side": "left"}]
        )

    assert [path for path, _ in caught.value.errors] == ["cmrt[1].area"]


def test_an_old_entry_maps_line_position_side_level_and_area_onto_the_new_shape():
    old = {"line": 2, "position": 4, "side": "left", "level": "T8", "area": "liver"}

    migration = map_v1_cmrt_entry(old)

    assert migration.finding == CmrtFinding(2, 4, "left", "T8", "liver", None)
    assert migration.label is None
    assert migration.old_entry == old


def test_an_old_entry_without_level_or_area_maps_with_them_empty():
    migration = map_v1_cmrt_entry(
        {"line": 1, "position": 7, "side": "right", "level": None, "area": None}
    )

    assert migration.finding == CmrtFinding(1, 7, "right")


@pytest.mark.parametrize(
    "old",
    [
        {"line": 3, "position": 2, "side": "bilateral", "level": "T5", "area": "stomach"},
        {"line": 4, "position": 2, "side": "left", "level": None, "area": None},
        {"line": 1, "position": 2, "side": "left", "level": "X9", "area": None},
        {"position": 2, "side": "left"},
        "line 2",
    ],
)
def test_an_old_entry_that_cannot_map_is_kept_and_labelled_as_the_old_layout(old):
    migration = map_v1_cmrt_entry(old)

    assert migration.kept_under_old_layout
    assert migration.label == OLD_LAYOUT_LABEL == "recorded under the old layout"
    assert migration.reason
    assert old in (migration.old_entry, migration.old_entry.get("value"))


old_entries = st.fixed_dictionaries(
    {
        "line": st.one_of(st.integers(-1, 5), st.none(), st.text(max_size=2)),
        "position": st.one_of(st.integers(-1, 9), st.none()),
        "side": st.sampled_from(["left", "right", "bilateral", "", None]),
        "level": st.one_of(st.none(), st.sampled_from(["T5", "T8", "C1", "L5", "T13", ""])),
        "area": st.one_of(st.none(), st.text(max_size=5)),
    }
)


@given(old_entries)
def test_mapping_never_raises_and_never_loses_an_old_entry(old):
    migration = map_v1_cmrt_entry(old)

    assert migration.old_entry == old
    assert (migration.finding is None) == migration.kept_under_old_layout


def test_the_version_one_lookup_still_works_for_old_records():
    lookup = cmrt_lookup(2, 4)

    assert (lookup.line, lookup.position) == (2, 4)
