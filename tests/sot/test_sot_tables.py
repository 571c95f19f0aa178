"""Every data table entry has the right shape and a source; the engine imports no Django."""

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from sotclinic import sot
from sotclinic.sot import (
    CMRT_LINES,
    CMRT_POSITIONS,
    CRANIAL_ITEMS,
    INDICATORS,
    LEG_LENGTH_REASON_CODE,
    VERTEBRAL_LEVELS,
    cmrt_fiber,
    cmrt_fibers,
    cmrt_lookup,
    cmrt_reflex_areas,
    default_protocol_table,
    get_indicator,
    indicators_in_category,
    reflex_area_for_level,
)

EXPECTED_CODES = {
    "achilles_tension": "I",
    "gluteal_tension_asymmetry": "I",
    "sacrospinalis_tension_asymmetry": "I",
    "arm_fossa_test": "II",
    "medial_knee_sensitivity": "II",
    "lateral_knee_sensitivity": "II",
    "inguinal_ligament_sensitivity": "II",
    "anterior_scalene_sensitivity": "II",
    "sciatic_pain_points": "III",
    "gluteal_pain_point": "III",
    "mid_calf_pain_point": "III",
    "dollar_sign": "I",
    "crest_sign": "I",
    "first_rib_tubercle_pain": "II",
    "lateral_pelvic_sway": "II",
    "antalgic_posture": "III",
}
PACKAGE_DIR = Path(sot.__file__).parent


def test_registry_holds_every_code_of_the_reference_with_its_category():
    assert {code: i.category for code, i in INDICATORS.items()} == EXPECTED_CODES


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_each_indicator_has_label_sides_examination_and_source(code):
    indicator = get_indicator(code)
    assert indicator.code == code
    assert indicator.label.strip()
    assert indicator.examination.strip()
    assert indicator.source.strip()
    assert indicator.sides
    assert set(indicator.sides) <= {"left", "right", "bilateral"}
    assert re.fullmatch(r"[a-z][a-z0-9_]*", code)


def test_asymmetry_and_unilateral_indicators_cannot_be_bilateral():
    for code in (
        "gluteal_tension_asymmetry",
        "sacrospinalis_tension_asymmetry",
        "anterior_scalene_sensitivity",
        "dollar_sign",
        "crest_sign",
        "first_rib_tubercle_pain",
    ):
        assert get_indicator(code).sides == ("left", "right")


def test_findings_without_a_side_can_only_be_recorded_as_bilateral():
    for code in ("lateral_pelvic_sway", "antalgic_posture"):
        assert get_indicator(code).sides == ("bilateral",)


@pytest.mark.parametrize(
    ("code", "quoted"),
    [
        ("dollar_sign", "toshi-chiro.net"),
        ("crest_sign", "toshi-chiro.net"),
        ("first_rib_tubercle_pain", "very painful first rib tubercle"),
        ("lateral_pelvic_sway", "without side-sway"),
        ("antalgic_posture", "always has some type of antalgic posture"),
    ],
)
def test_each_new_indicator_quotes_the_source_that_was_read(code, quoted):
    assert quoted in get_indicator(code).source


def test_secondary_and_unread_sources_say_so():
    assert "secondary source" in get_indicator("dollar_sign").source
    assert "secondary source" in get_indicator("crest_sign").source
    assert "not read" in get_indicator("lateral_pelvic_sway").source


def test_indicators_in_category_follow_registry_order():
    assert [i.code for i in indicators_in_category("I")] == [
        "achilles_tension",
        "gluteal_tension_asymmetry",
        "sacrospinalis_tension_asymmetry",
        "dollar_sign",
        "crest_sign",
    ]
    assert len(indicators_in_category("II")) == 7
    assert len(indicators_in_category("III")) == 4


def test_leg_length_reason_code_is_not_an_indicator_code():
    assert LEG_LENGTH_REASON_CODE not in INDICATORS


def test_default_protocol_table_positions_follow_the_method():
    table = default_protocol_table()
    assert table.category("I").position == "prone"
    assert table.category("II").position == "supine"
    assert table.category("III").position == "prone"


@pytest.mark.parametrize("category", ["I", "II", "III"])
def test_every_protocol_entry_and_block_has_a_source(category):
    entry = default_protocol_table().category(category)
    assert entry.position_source.strip()
    assert entry.blocks_keyed_by_source.strip()
    for side in ("left", "right"):
        assert entry.blocks[side], f"{category} {side} has no blocks"
        for block in entry.blocks[side]:
            assert block.side in ("left", "right")
            assert block.landmark.strip()
            assert 0 <= block.angle_degrees <= 90
            assert block.source.strip()


def test_default_protocol_table_is_mirror_symmetric():
    assert default_protocol_table().mirror_mismatches() == []


def test_default_protocol_table_places_one_block_under_each_side():
    for category in ("I", "II", "III"):
        for side in ("left", "right"):
            blocks = default_protocol_table().category(category).blocks[side]
            assert sorted(b.side for b in blocks) == ["left", "right"]
            assert blocks[0].side == side, "the first block goes under the reference side"


def test_cmrt_layout_covers_every_line_and_position_with_a_source():
    assert CMRT_LINES == (1, 2, 3)
    assert CMRT_POSITIONS == (1, 2, 3, 4, 5, 6, 7)
    fibers = cmrt_fibers()
    assert len(fibers) == 21
    for fiber in fibers:
        assert fiber.source.strip()
        assert fiber.vertebral_level is None or fiber.vertebral_level in VERTEBRAL_LEVELS


def test_cmrt_reflex_areas_are_sourced_and_use_real_levels():
    areas = cmrt_reflex_areas()
    assert areas, "at least the sourced associations ship"
    for area in areas:
        assert area.vertebral_level in VERTEBRAL_LEVELS
        assert area.reflex_area.strip()
        assert area.source.strip()


def test_cmrt_lookup_returns_sourced_area_for_a_level_and_none_when_unsourced():
    assert reflex_area_for_level("T8").reflex_area == "liver"
    assert reflex_area_for_level("T9").reflex_area == "adrenals"
    assert reflex_area_for_level("C1") is None
    lookup = cmrt_lookup(2, 4)
    assert (lookup.line, lookup.position) == (2, 4)
    assert lookup.sources and all(s.strip() for s in lookup.sources)
    if lookup.vertebral_level is None:
        assert lookup.reflex_area is None


@pytest.mark.parametrize("line, position", [(0, 1), (4, 1), (1, 0), (1, 8)])
def test_cmrt_fiber_outside_the_layout_is_refused(line, position):
    with pytest.raises(ValueError, match="no occipital fiber"):
        cmrt_fiber(line, position)


def test_every_cranial_item_has_name_kind_sides_and_source():
    assert {"sphenobasilar", "temporal_internal_rotation", "tmj"} <= set(CRANIAL_ITEMS)
    for code, item in CRANIAL_ITEMS.items():
        assert item.code == code
        assert item.name.strip()
        assert item.kind in ("finding", "procedure")
        assert set(item.sides) <= {"left", "right", "bilateral"}
        assert item.source.strip()


@pytest.mark.parametrize(
    "name",
    [
        "indicators.json",
        "protocols.json",
        "cmrt.json",
        "cranial.json",
        "leg_checks.json",
        "rc_factors.json",
    ],
)
def test_data_files_are_package_resources_and_valid_json(name):
    text = resources.files("sotclinic.sot").joinpath("data", name).read_text(encoding="utf-8")
    assert json.loads(text)["format"] == 1


def test_engine_source_never_imports_django():
    for path in PACKAGE_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+django", text, re.MULTILINE), path


def test_importing_the_engine_loads_no_django_module():
    # Stand in for the parent package so that only the engine's own imports are measured.
    code = (
        "import sys, types\n"
        "parent = types.ModuleType('sotclinic')\n"
        f"parent.__path__ = [{str(PACKAGE_DIR.parent)!r}]\n"
        "sys.modules['sotclinic'] = parent\n"
        "import sotclinic.sot\n"
        "print(any(m.split('.')[0] == 'django' for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
