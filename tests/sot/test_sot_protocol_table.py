"""A block-placement table loads from the data file or a dict, round-trips, refuses bad input."""

import copy
import json

import pytest

from sotclinic.sot import ProtocolTable, ProtocolTableError, default_protocol_table


def default_raw():
    return copy.deepcopy(default_protocol_table().as_dict())


def error_for(raw):
    with pytest.raises(ProtocolTableError) as caught:
        ProtocolTable.from_dict(raw)
    return caught.value


def test_default_table_round_trips_through_plain_data():
    raw = default_raw()

    assert ProtocolTable.from_dict(raw) == default_protocol_table()
    assert ProtocolTable.from_dict(json.loads(json.dumps(raw))).as_dict() == raw


def test_default_table_is_built_once():
    assert default_protocol_table() is default_protocol_table()


def test_table_is_immutable():
    table = default_protocol_table()

    with pytest.raises(TypeError):
        table.categories["I"] = table.categories["II"]
    with pytest.raises(TypeError):
        table.category("I").blocks["left"] = ()


def test_clinic_table_with_notes_and_finding_side_keys_is_accepted():
    raw = default_raw()
    raw["notes"] = "Our clinic"
    raw["categories"]["II"]["blocks_keyed_by"] = "finding_side"
    raw["categories"]["II"]["notes"] = "per Dr B"

    table = ProtocolTable.from_dict(raw)

    assert table.category("II").blocks_keyed_by == "finding_side"
    assert table.as_dict() == raw


@pytest.mark.parametrize("raw", [None, [], "table", 1])
def test_non_object_table_is_refused(raw):
    assert error_for(raw).path == "table"


def test_missing_category_is_named():
    raw = default_raw()
    del raw["categories"]["III"]

    assert str(error_for(raw)) == "categories: missing III"


def test_unknown_category_is_named():
    raw = default_raw()
    raw["categories"]["IV"] = raw["categories"]["I"]

    assert "unknown category 'IV'" in str(error_for(raw))


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda r: r["categories"]["I"].update(position="standing"), "categories.I.position"),
        (lambda r: r["categories"]["I"].update(position_source=""), "categories.I.position_source"),
        (lambda r: r["categories"]["I"].pop("position_source"), "categories.I.position_source"),
        (
            lambda r: r["categories"]["II"].update(blocks_keyed_by="long_leg"),
            "categories.II.blocks_keyed_by",
        ),
        (lambda r: r["categories"]["II"].update(blocks={"left": []}), "categories.II.blocks"),
        (
            lambda r: r["categories"]["II"]["blocks"].update(left="ASIS"),
            "categories.II.blocks.left",
        ),
        (
            lambda r: r["categories"]["II"]["blocks"]["left"][0].update(angle_degrees=120),
            "categories.II.blocks.left[0].angle_degrees",
        ),
        (
            lambda r: r["categories"]["II"]["blocks"]["left"][0].update(angle_degrees="45"),
            "categories.II.blocks.left[0].angle_degrees",
        ),
        (
            lambda r: r["categories"]["II"]["blocks"]["left"][0].update(angle_degrees=True),
            "categories.II.blocks.left[0].angle_degrees",
        ),
        (
            lambda r: r["categories"]["III"]["blocks"]["right"][1].update(side="bilateral"),
            "categories.III.blocks.right[1].side",
        ),
        (
            lambda r: r["categories"]["III"]["blocks"]["right"][1].update(source=" "),
            "categories.III.blocks.right[1].source",
        ),
        (
            lambda r: r["categories"]["III"]["blocks"]["right"][1].update(landmark=None),
            "categories.III.blocks.right[1].landmark",
        ),
        (
            lambda r: r["categories"]["III"]["blocks"]["right"][1].update(colour="red"),
            "categories.III.blocks.right[1]",
        ),
        (lambda r: r["categories"]["I"].update(extra=1), "categories.I"),
        (lambda r: r.update(format=2), "format"),
        (lambda r: r.update(extra=1), "table"),
    ],
)
def test_malformed_entries_are_named_by_path(mutate, path):
    raw = default_raw()
    mutate(raw)

    assert error_for(raw).path == path


def test_all_problems_are_listed():
    raw = default_raw()
    raw["categories"]["I"]["position"] = "upside down"
    raw["categories"]["III"]["blocks"]["left"][0]["angle_degrees"] = -5

    assert [path for path, _ in error_for(raw).errors] == [
        "categories.I.position",
        "categories.III.blocks.left[0].angle_degrees",
    ]


def test_mirror_mismatches_are_reported_without_refusing_the_table():
    raw = default_raw()
    raw["categories"]["I"]["blocks"]["right"][0]["angle_degrees"] = 30

    table = ProtocolTable.from_dict(raw)

    assert table.mirror_mismatches() == [
        "categories.I.blocks: the right entry is not the mirror of the left"
    ]
