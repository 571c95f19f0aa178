"""Typed findings, and the validation that turns a raw request body into them.

A request body looks like::

    {"leg_length": {"prone_short_side": "left", "difference_mm": 6},
     "indicators": [{"code": "arm_fossa_test", "side": "left"}]}

or, with the leg checks recorded the version-2 way (``sotclinic.sot.leg_checks``)::

    {"leg_checks": [{"method": "prone_knees_straight", "short_side": "left",
                     "difference_mm": 6, "confidence": "high"}],
     "anatomical_short_leg": {"status": "suspected", "side": "left"},
     "indicators": [...]}

``validate_findings`` accepts exactly these shapes and raises ``FindingsError`` naming every field
at fault (``indicators[1].side: must be one of left, right, bilateral``). The typed classes check
themselves on construction too, so a ``Findings`` value is well formed by construction and the
analysis never has to defend against a malformed one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from .errors import FindingsError, json_type_name
from .indicators import INDICATORS
from .leg_checks import (
    AnatomicalShortLeg,
    LegCheck,
    checks_disagree,
    difference_problems,
    placement_check,
    validate_anatomical_short_leg,
    validate_leg_checks,
)
from .vocabulary import LATERAL_SIDES, SIDES, Lateral, Side, mirror_side

# A positive finding can be listed at most once per code and side; anything far beyond the
# registry size is a client bug, and a bound keeps a hostile body from costing much.
MAX_INDICATORS: Final = 100

_BODY_FIELDS: Final = ("indicators", "leg_length", "leg_checks", "anatomical_short_leg")
_INDICATOR_FIELDS: Final = ("code", "side")
_LEG_LENGTH_FIELDS: Final = ("prone_short_side", "difference_mm")


def _allowed_sides_message(code: str) -> str:
    allowed = INDICATORS[code].sides
    if allowed == SIDES:
        return f"must be one of {', '.join(SIDES)}"
    return f"must be one of {', '.join(allowed)} for {code}"


@dataclass(frozen=True)
class IndicatorFinding:
    """One positive indicator on one side. A code not listed was negative or not tested."""

    code: str
    side: Side

    def __post_init__(self) -> None:
        if self.code not in INDICATORS:
            raise FindingsError([("code", f"unknown indicator code {self.code!r}")])
        if self.side not in INDICATORS[self.code].sides:
            raise FindingsError([("side", _allowed_sides_message(self.code))])

    def as_dict(self) -> dict[str, str]:
        """The finding as it appears in a request body."""
        return {"code": self.code, "side": self.side}


@dataclass(frozen=True)
class LegLength:
    """The prone leg check: which leg is short (None when equal or not checked) and by how much.

    ``difference_mm`` is kept for the chart; the analysis uses only the side, because the sources
    give no threshold in millimetres at which SOT placement changes.
    """

    prone_short_side: Lateral | None = None
    difference_mm: float | None = None

    def __post_init__(self) -> None:
        problems = _leg_length_problems(self.prone_short_side, self.difference_mm)
        if problems:
            raise FindingsError(problems)

    def as_dict(self) -> dict[str, Any]:
        """The leg check as it appears in a request body (``none`` for equal legs)."""
        return {
            "prone_short_side": self.prone_short_side or "none",
            "difference_mm": self.difference_mm,
        }


def _leg_length_problems(side: object, difference: object) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if side is not None and side not in LATERAL_SIDES:
        problems.append(("prone_short_side", "must be one of left, right, none (or null)"))
    return problems + difference_problems(
        side,
        difference,
        when_none="prone_short_side is none",
        when_short="prone_short_side is left or right",
    )


BOTH_LEG_SHAPES: Final = (
    "send either leg_length (one prone check) or leg_checks (each check with its method), not both"
)


@dataclass(frozen=True)
class Findings:
    """Everything the analysis looks at: the positive indicators and the leg checks.

    The leg checks come either as the version-1 ``leg_length`` (one prone check) or as
    ``leg_checks`` (at most one per method) with an optional ``anatomical_short_leg`` flag.
    """

    indicators: tuple[IndicatorFinding, ...] = ()
    leg_length: LegLength | None = None
    leg_checks: tuple[LegCheck, ...] = ()
    anatomical_short_leg: AnatomicalShortLeg | None = None

    def __post_init__(self) -> None:
        # Accept any sequence for convenience but store a tuple, so the value stays immutable.
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "leg_checks", tuple(self.leg_checks))
        for index, finding in enumerate(self.indicators):
            if not isinstance(finding, IndicatorFinding):
                raise FindingsError([(f"indicators[{index}]", "must be an IndicatorFinding")])
        if self.leg_length is not None and not isinstance(self.leg_length, LegLength):
            raise FindingsError([("leg_length", "must be a LegLength or None")])
        for index, check in enumerate(self.leg_checks):
            if not isinstance(check, LegCheck):
                raise FindingsError([(f"leg_checks[{index}]", "must be a LegCheck")])
        methods = [check.method for check in self.leg_checks]
        if len(set(methods)) != len(methods):
            raise FindingsError([("leg_checks", "must hold at most one check per method")])
        if self.leg_length is not None and self.leg_checks:
            raise FindingsError([("leg_checks", BOTH_LEG_SHAPES)])
        if self.anatomical_short_leg is not None and not isinstance(
            self.anatomical_short_leg, AnatomicalShortLeg
        ):
            raise FindingsError([("anatomical_short_leg", "must be an AnatomicalShortLeg or None")])

    @property
    def placement_check(self) -> LegCheck | None:
        """The version-2 check that places the blocks (a prone one), if any was recorded."""
        return placement_check(self.leg_checks)

    @property
    def prone_short_side(self) -> Lateral | None:
        """The short-leg side of the prone check, or None when equal or not checked."""
        if self.leg_length is not None:
            return self.leg_length.prone_short_side
        check = self.placement_check
        return check.short_side if check else None

    @property
    def leg_checks_disagree(self) -> bool:
        """True when the prone check used and the supine check name different short sides."""
        return checks_disagree(self.leg_checks)

    def as_dict(self) -> dict[str, Any]:
        """The findings as a request body, e.g. for storing beside the suggestion in the chart."""
        body: dict[str, Any] = {"indicators": [finding.as_dict() for finding in self.indicators]}
        if self.leg_length is not None:
            body["leg_length"] = self.leg_length.as_dict()
        if self.leg_checks:
            body["leg_checks"] = [check.as_dict() for check in self.leg_checks]
        if self.anatomical_short_leg is not None:
            body["anatomical_short_leg"] = self.anatomical_short_leg.as_dict()
        return body


def mirror_findings(findings: Findings) -> Findings:
    """The same findings with every left and right swapped, including the short-leg side.

    Useful to check that a rule treats both sides alike; the analysis of the mirror is the mirror
    of the analysis.
    """
    leg_length = findings.leg_length
    anatomical = findings.anatomical_short_leg
    return Findings(
        indicators=tuple(
            IndicatorFinding(f.code, mirror_side(f.side)) for f in findings.indicators
        ),
        leg_length=(
            None
            if leg_length is None
            else LegLength(mirror_side(leg_length.prone_short_side), leg_length.difference_mm)
        ),
        leg_checks=tuple(
            LegCheck(c.method, mirror_side(c.short_side), c.confidence, c.difference_mm)
            for c in findings.leg_checks
        ),
        anatomical_short_leg=(
            None
            if anatomical is None
            else AnatomicalShortLeg(
                anatomical.status, mirror_side(anatomical.side), anatomical.difference_mm
            )
        ),
    )


def _unknown_fields(
    raw: Mapping[Any, Any], allowed: Sequence[str], where: str
) -> list[tuple[str, str]]:
    return [
        (where, f"unknown field {key!r}; allowed: {', '.join(allowed)}")
        for key in raw
        if key not in allowed
    ]


def _validate_indicator(raw: object, where: str) -> tuple[IndicatorFinding | None, list]:
    if not isinstance(raw, Mapping):
        return None, [
            (where, f"must be an object with 'code' and 'side', not {json_type_name(raw)}")
        ]
    problems = _unknown_fields(raw, _INDICATOR_FIELDS, where)
    code, side = raw.get("code"), raw.get("side")
    code_ok = False
    if "code" not in raw:
        problems.append((f"{where}.code", "is required"))
    elif not isinstance(code, str):
        problems.append((f"{where}.code", f"must be a string, not {json_type_name(code)}"))
    elif code not in INDICATORS:
        problems.append(
            (
                f"{where}.code",
                f"unknown indicator code {code!r}; known codes: {', '.join(INDICATORS)}",
            )
        )
    else:
        code_ok = True
    if "side" not in raw:
        problems.append((f"{where}.side", "is required"))
    elif not isinstance(side, str) or side not in SIDES:
        problems.append((f"{where}.side", f"must be one of {', '.join(SIDES)}"))
    elif code_ok and side not in INDICATORS[cast(str, code)].sides:
        problems.append((f"{where}.side", _allowed_sides_message(cast(str, code))))
    if problems:
        return None, problems
    return IndicatorFinding(cast(str, code), cast(Side, side)), []


def _validate_leg_length(raw: object) -> tuple[LegLength | None, list]:
    if raw is None:
        return None, []
    if not isinstance(raw, Mapping):
        return None, [("leg_length", f"must be an object or null, not {json_type_name(raw)}")]
    problems = _unknown_fields(raw, _LEG_LENGTH_FIELDS, "leg_length")
    side = raw.get("prone_short_side")
    # "none" is the explicit way to say the legs were checked and found equal.
    if side == "none":
        side = None
    difference = raw.get("difference_mm")
    problems += [
        (f"leg_length.{path}", message) for path, message in _leg_length_problems(side, difference)
    ]
    if problems:
        return None, problems
    return LegLength(cast(Lateral | None, side), cast(float | None, difference)), []


def validate_findings(raw: object) -> Findings:
    """Check a request body and return typed findings.

    Raises ``FindingsError`` (a ``ValueError``) listing every problem with its field path: a
    missing or non-object body, unknown fields, a missing or non-list ``indicators``, an unknown
    code, a side outside ``left``/``right``/``bilateral`` (or outside the sides an indicator can
    be recorded on), a malformed ``leg_length``, ``leg_checks`` or ``anatomical_short_leg``, and
    ``leg_length`` sent together with ``leg_checks``. ``indicators`` is required; an empty list is
    valid and means no indicator was positive.
    """
    if raw is None:
        raise FindingsError([("body", "is required: send a JSON object with an 'indicators' list")])
    if not isinstance(raw, Mapping):
        raise FindingsError([("body", f"must be a JSON object, not {json_type_name(raw)}")])
    problems: list[tuple[str, str]] = _unknown_fields(raw, _BODY_FIELDS, "body")
    indicators: list[IndicatorFinding] = []
    if "indicators" not in raw:
        problems.append(
            ("indicators", "is required (send an empty list when no indicator is positive)")
        )
    elif not isinstance(raw["indicators"], list | tuple):
        problems.append(("indicators", f"must be a list, not {json_type_name(raw['indicators'])}"))
    elif len(raw["indicators"]) > MAX_INDICATORS:
        problems.append(("indicators", f"must hold at most {MAX_INDICATORS} entries"))
    else:
        for index, entry in enumerate(raw["indicators"]):
            finding, entry_problems = _validate_indicator(entry, f"indicators[{index}]")
            problems += entry_problems
            if finding is not None:
                indicators.append(finding)
    leg_length, leg_problems = _validate_leg_length(raw.get("leg_length"))
    problems += leg_problems
    leg_checks, check_problems = validate_leg_checks(raw.get("leg_checks"))
    problems += check_problems
    if raw.get("leg_length") is not None and raw.get("leg_checks"):
        problems.append(("leg_checks", BOTH_LEG_SHAPES))
    anatomical, anatomical_problems = validate_anatomical_short_leg(raw.get("anatomical_short_leg"))
    problems += anatomical_problems
    if problems:
        raise FindingsError(problems)
    return Findings(
        indicators=tuple(indicators),
        leg_length=leg_length,
        leg_checks=leg_checks,
        anatomical_short_leg=anatomical,
    )
