"""R+C factors: paired vertebral levels (atlas with L5, axis with L4, … to mid-thoracic).

The pairs are data in ``data/rc_factors.json``, each with its source; only the pairs a source
names are shipped, and a clinic that adds an inferred pair marks it ``derived``. A clinic can pass
its own table (``parse_rc_factors``)
to ``validate_rc_finding``. A finding records the pair, the side and the response in the
practitioner's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, cast

from ._data import load_json
from .errors import FindingsError, json_type_name
from .vocabulary import SIDES, Side

_LEVEL_PATTERN = re.compile(r"^(C[1-7]|T([1-9]|1[0-2])|L[1-5])$")
RC_FINDING_FIELDS: Final = ("pair", "side", "response")
MAX_RESPONSE_TEXT: Final = 200


@dataclass(frozen=True)
class RcPair:
    """One R+C pair: an upper and a lower vertebral level, with its source."""

    code: str
    upper: str
    lower: str
    derived: bool
    source: str


def parse_rc_factors(raw: Any) -> Mapping[str, RcPair]:
    """Check an R+C table (the shipped file or a clinic's own); ValueError names the entry."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("pairs"), list) or not raw["pairs"]:
        raise ValueError("rc_factors: must be an object with a non-empty 'pairs' list")
    pairs: dict[str, RcPair] = {}
    for index, entry in enumerate(raw["pairs"]):
        where = f"rc_factors.pairs[{index}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be an object")
        upper, lower = entry.get("upper"), entry.get("lower")
        for name, level in (("upper", upper), ("lower", lower)):
            if not isinstance(level, str) or not _LEVEL_PATTERN.match(level):
                raise ValueError(f"{where}.{name}: not a vertebral level: {level!r}")
        code = f"{upper}-{lower}"
        if entry.get("code") != code or code in pairs:
            raise ValueError(f"{where}.code: must be {code!r} and unique")
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValueError(f"{where}.source: must be a non-empty string")
        if not isinstance(entry.get("derived"), bool):
            raise ValueError(f"{where}.derived: must be true or false")
        pairs[code] = RcPair(code, cast(str, upper), cast(str, lower), entry["derived"], source)
    return MappingProxyType(pairs)


RC_PAIRS: Final[Mapping[str, RcPair]] = parse_rc_factors(load_json("rc_factors.json"))


@dataclass(frozen=True)
class RcFinding:
    """An R+C factor found on a side, with the response recorded (None: not recorded)."""

    pair: str
    side: Side
    response: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"pair": self.pair, "side": self.side, "response": self.response}


def validate_rc_finding(
    raw: object, where: str = "rc_factor", pairs: Mapping[str, RcPair] | None = None
) -> RcFinding:
    """Check one R+C finding against the shipped pairs (or a clinic's); names each bad field."""
    table = RC_PAIRS if pairs is None else pairs
    if not isinstance(raw, Mapping):
        raise FindingsError([(where, f"must be an object, not {json_type_name(raw)}")])
    problems = [
        (where, f"unknown field {key!r}; allowed: {', '.join(RC_FINDING_FIELDS)}")
        for key in raw
        if key not in RC_FINDING_FIELDS
    ]
    pair, side, response = raw.get("pair"), raw.get("side"), raw.get("response")
    if "pair" not in raw:
        problems.append((f"{where}.pair", "is required"))
    elif not isinstance(pair, str) or pair not in table:
        problems.append((f"{where}.pair", f"must be one of {', '.join(table)}"))
    if "side" not in raw:
        problems.append((f"{where}.side", "is required"))
    elif not isinstance(side, str) or side not in SIDES:
        problems.append((f"{where}.side", f"must be one of {', '.join(SIDES)}"))
    if response is not None and (
        not isinstance(response, str) or len(response) > MAX_RESPONSE_TEXT
    ):
        problems.append(
            (f"{where}.response", f"must be text of at most {MAX_RESPONSE_TEXT} characters")
        )
    if problems:
        raise FindingsError(problems)
    text = cast(str | None, response)
    return RcFinding(cast(str, pair), cast(Side, side), text.strip() or None if text else None)
