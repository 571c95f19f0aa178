"""Where to draw the suggested blocks on the pelvis diagram (an SVG template draws them).

The diagram shows the patient on the table seen from above, head at the top. Prone (face down)
shows the back, so the patient's left is on the viewer's left; supine (face up) shows the front,
so the patient's left is on the viewer's right. Every side is labelled in words on the drawing.

Landmarks are free text in the (clinic-editable) protocol table, so the drawing places a block by
the landmark words it recognises and at mid-pelvis height otherwise; the legend always gives the
landmark in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sotclinic.sot import Block

WIDTH: Final = 400
HEIGHT: Final = 400
# The pelvis is drawn at these offsets, below the caption and the side labels.
OFFSET_X: Final = 20
OFFSET_Y: Final = 36
CENTRE_X: Final = 180
BLOCK_W: Final = 46
BLOCK_H: Final = 24

# (words in the landmark, distance from the midline, height on the drawing), first match wins.
_LANDMARK_SPOTS: Final = (
    (("anterior superior iliac spine", "asis"), 66, 150),
    (("psis", "posterior iliac", "iliac crest", "ilium", "iliac"), 56, 122),
    (("acetabulum", "hip"), 60, 212),
    (("trochanter",), 84, 216),
    (("sacrum", "sacral"), 22, 170),
)
_DEFAULT_SPOT: Final = (62, 180)


@dataclass(frozen=True)
class DrawnBlock:
    number: int
    side: str
    landmark: str
    angle_degrees: float
    x: float
    y: float

    @property
    def label_x(self) -> float:
        return self.x + BLOCK_W / 2

    @property
    def label_y(self) -> float:
        return self.y + BLOCK_H / 2 + 5


def _spot(landmark: str) -> tuple[int, int]:
    words = landmark.lower()
    for keys, distance, height in _LANDMARK_SPOTS:
        if any(key in words for key in keys):
            return distance, height
    return _DEFAULT_SPOT


def viewer_left_side(position: str) -> str:
    """Which of the patient's sides is on the viewer's left for this position."""
    return "left" if position == "prone" else "right"


def place_blocks(position: str, blocks: tuple[Block, ...] | list[Block]) -> list[DrawnBlock]:
    """Block rectangles in diagram coordinates, numbered as in the legend."""
    drawn: list[DrawnBlock] = []
    taken: set[tuple[float, float]] = set()
    on_viewer_left = viewer_left_side(position)
    for number, block in enumerate(blocks, start=1):
        distance, height = _spot(block.landmark)
        centre = CENTRE_X - distance if block.side == on_viewer_left else CENTRE_X + distance
        x, y = centre - BLOCK_W / 2, height - BLOCK_H / 2
        while (x, y) in taken:  # two blocks at one landmark: stack them, never overlap
            y += BLOCK_H + 6
        taken.add((x, y))
        drawn.append(DrawnBlock(number, block.side, block.landmark, block.angle_degrees, x, y))
    return drawn
