"""The small closed vocabularies of the SOT engine: sides, categories, patient positions."""

from __future__ import annotations

from typing import Final, Literal, overload

Side = Literal["left", "right", "bilateral"]
Lateral = Literal["left", "right"]
Category = Literal["I", "II", "III"]
Position = Literal["prone", "supine"]

SIDES: Final[tuple[Side, ...]] = ("left", "right", "bilateral")
LATERAL_SIDES: Final[tuple[Lateral, ...]] = ("left", "right")
CATEGORIES: Final[tuple[Category, ...]] = ("I", "II", "III")
POSITIONS: Final[tuple[Position, ...]] = ("prone", "supine")


@overload
def mirror_side(side: Lateral) -> Lateral: ...
@overload
def mirror_side(side: Side) -> Side: ...
@overload
def mirror_side(side: None) -> None: ...
def mirror_side(side: Side | None) -> Side | None:
    """Swap left and right; bilateral and None stay as they are."""
    if side == "left":
        return "right"
    if side == "right":
        return "left"
    return side
