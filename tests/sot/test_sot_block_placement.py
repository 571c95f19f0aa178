"""The shipped block placement follows the published side assignment, mirrored for the other leg.

Category I (prone), short right leg: "left iliac crest, right greater trochanter" (Klingensmith &
Blum 2002, quoting Lisi, Cooperstein & Morschhauser). So the short-leg side gets the greater
trochanter and the long-leg side the iliac crest / ASIS. Category III has the same assignment
(secondary source). Category II is supine: blocks go under the pelvis from behind.
"""

import pytest

from sotclinic.sot import analyze, default_protocol_table

OTHER = {"left": "right", "right": "left"}
CATEGORY_INDICATOR = {"I": "achilles_tension", "II": "arm_fossa_test", "III": "sciatic_pain_points"}


def _blocks(category: str, short_side: str, finding_side: str | None = None) -> dict[str, str]:
    result = analyze(
        {
            "leg_length": {"prone_short_side": short_side, "difference_mm": 6},
            "indicators": [
                {"code": CATEGORY_INDICATOR[category], "side": finding_side or short_side}
            ],
        }
    )
    assert result.protocol is not None
    return {block.side: block.landmark.lower() for block in result.protocol.blocks}


def test_category_one_short_right_leg_blocks_left_iliac_crest_and_right_greater_trochanter():
    blocks = _blocks("I", "right")

    assert "greater trochanter" in blocks["right"]
    assert "iliac crest" in blocks["left"]
    assert "trochanter" not in blocks["left"]


@pytest.mark.parametrize("category", ["I", "III"])
@pytest.mark.parametrize("short_side", ["left", "right"])
def test_prone_categories_put_the_trochanter_block_on_the_short_leg_side(category, short_side):
    blocks = _blocks(category, short_side)

    assert "greater trochanter" in blocks[short_side]
    assert "asis" in blocks[OTHER[short_side]]
    assert "trochanter" not in blocks[OTHER[short_side]]


@pytest.mark.parametrize("category", ["I", "III"])
def test_short_leg_decides_the_block_sides_even_when_findings_are_on_the_other_side(category):
    blocks = _blocks(category, short_side="right", finding_side="left")

    assert "greater trochanter" in blocks["right"]
    assert "asis" in blocks["left"]


@pytest.mark.parametrize("short_side", ["left", "right"])
def test_supine_category_two_blocks_sit_under_the_pelvis_from_behind_never_under_the_asis(
    short_side,
):
    entry = default_protocol_table().category("II")
    blocks = _blocks("II", short_side)

    assert entry.position == "supine"
    for landmark in blocks.values():
        assert "asis" not in landmark
        assert "anterior superior" not in landmark
        assert "from behind" in landmark


def test_sources_say_what_was_read_and_what_is_secondary_or_unverified():
    table = default_protocol_table()
    category_one = table.category("I").blocks["right"]
    category_two = table.category("II").blocks["left"]
    category_three = table.category("III").blocks["left"]

    for block in category_one:
        assert "left iliac crest, right greater trochanter" in block.source
        assert "not read" in block.source
    for block in category_two:
        assert "unverified" in block.source.lower()
    for block in category_three:
        assert block.source.startswith("Secondary source")
        assert "yamatubaki.jp" in block.source
