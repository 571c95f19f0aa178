"""The checks recorded before neck work: blood pressure, cranial nerves, gait, UMN signs.

The labels, input ranges and the red flag that a positive upper-motor-neurone sign raises are
data in ``data/pre_neck_screen.json`` with their sources. Stored in the exam state as::

    "screening": {"blood_pressure": {"systolic": 128, "diastolic": 84},
                  "cranial_nerves": {"result": "abnormal", "note": "..."},
                  "gait": {"result": "normal", "note": ""},
                  "umn": {"hoffmann": "positive", "clonus": "negative", ...}}

A part that was not examined is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from sotclinic.data_text import (
    declared_languages,
    read_text,
    register_composed,
    shown,
    source_text,
)

_DATA: Final = json.loads(
    (Path(__file__).parent / "data" / "pre_neck_screen.json").read_text(encoding="utf-8")
)
_LANGUAGES: Final = declared_languages(_DATA, "pre_neck_screen.json")
BP_RANGES: Final = {key: _DATA["blood_pressure"][key] for key in ("systolic", "diastolic")}
UMN_SIGNS: Final[dict[str, str]] = {
    s["code"]: read_text(s["label"], f"umn_signs.{s['code']}.label", _LANGUAGES)
    for s in _DATA["umn_signs"]
}
UMN_RESULTS: Final[tuple[str, ...]] = tuple(_DATA["umn_results"])
UMN_RESULT_WORDS: Final = {
    "negative": _("negative"),
    "positive": _("positive"),
    "not_tested": _("not tested"),
}
UMN_RED_FLAG: Final[Mapping[str, Any]] = {
    **_DATA["umn_red_flag"],
    "title": read_text(_DATA["umn_red_flag"]["title"], "umn_red_flag.title", _LANGUAGES),
    "explanation": read_text(
        _DATA["umn_red_flag"]["explanation"], "umn_red_flag.explanation", _LANGUAGES
    ),
}
# How a raised flag's explanation is stored: English, the positive signs then the explanation.
_STORED_EXPLANATION: Final = re.compile(
    r"Positive: (?P<signs>.+?)\. " + re.escape(source_text(UMN_RED_FLAG["explanation"]))
)
NORMAL_ABNORMAL: Final = ("normal", "abnormal")
MAX_NOTE: Final = 500
EXAMS: Final = {"cranial_nerves": _("Cranial-nerve screen"), "gait": _("Gait")}
_PARTS: Final = {"systolic": _("systolic"), "diastolic": _("diastolic")}


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _blood_pressure(data, name: Callable[[str], str], errors: dict[str, str]) -> dict | None:
    raw = {part: _text(data, name(f"bp-{part}")) for part in ("systolic", "diastolic")}
    if not any(raw.values()):
        return None
    values: dict[str, int] = {}
    for part, text in raw.items():
        low, high = BP_RANGES[part]["min"], BP_RANGES[part]["max"]
        field = name(f"bp-{part}")
        words = {"part": _PARTS[part], "low": low, "high": high}
        if not text:
            errors[field] = _("Blood pressure: enter the %(part)s value as well (mmHg).") % words
        elif not text.isdigit():
            errors[field] = (
                _("Blood pressure: %(part)s must be a whole number of mmHg, e.g. 120.") % words
            )
        elif not low <= int(text) <= high:
            errors[field] = (
                _("Blood pressure: %(part)s must be between %(low)s and %(high)s mmHg.") % words
            )
        else:
            values[part] = int(text)
    if len(values) == 2 and values["diastolic"] >= values["systolic"]:
        errors[name("bp-diastolic")] = _("Blood pressure: diastolic must be lower than systolic.")
    return values if len(values) == 2 and name("bp-diastolic") not in errors else None


def _normal_abnormal(
    data, key: str, name: Callable[[str], str], errors: dict[str, str]
) -> dict | None:
    slug = key.replace("_", "")
    result, note = _text(data, name(f"{slug}-result")), _text(data, name(f"{slug}-note"))
    if not result and not note:
        return None
    label = EXAMS[key]
    if result not in NORMAL_ABNORMAL:
        errors[name(f"{slug}-result")] = _("%(label)s: choose normal or abnormal.") % {
            "label": label
        }
        return None
    if len(note) > MAX_NOTE:
        errors[name(f"{slug}-note")] = _("%(label)s: keep the note under %(max)s characters.") % {
            "label": label,
            "max": MAX_NOTE,
        }
        return None
    if result == "abnormal" and not note:
        errors[name(f"{slug}-note")] = _("%(label)s: say what was abnormal.") % {"label": label}
        return None
    return {"result": result, "note": note}


def _umn(data, name: Callable[[str], str], errors: dict[str, str]) -> dict[str, str]:
    found = {}
    for code, label in UMN_SIGNS.items():
        value = _text(data, name(f"umn-{code}"))
        if not value:
            continue
        if value not in UMN_RESULTS:
            errors[name(f"umn-{code}")] = _(
                "%(label)s: choose negative, positive or not tested."
            ) % {"label": label}
            continue
        found[code] = value
    return found


def parse_screening(
    data: Mapping[str, Any], name: Callable[[str], str], errors: dict[str, str]
) -> dict[str, Any]:
    """Read the pre-neck-work checks from posted fields; errors name the field at fault."""
    screening: dict[str, Any] = {}
    bp = _blood_pressure(data, name, errors)
    if bp:
        screening["blood_pressure"] = bp
    for key in EXAMS:
        part = _normal_abnormal(data, key, name, errors)
        if part:
            screening[key] = part
    umn = _umn(data, name, errors)
    if umn:
        screening["umn"] = umn
    return screening


def positive_umn_signs(state: Mapping[str, Any] | None) -> list[str]:
    """The labels of the upper-motor-neurone signs recorded positive in an exam state."""
    umn = ((state or {}).get("screening") or {}).get("umn") or {}
    return [label for code, label in UMN_SIGNS.items() if umn.get(code) == "positive"]


def umn_flag_explanation(signs: list[str]) -> str:
    """The explanation stored with the red flag positive signs raise, in English."""
    return (
        f"Positive: {', '.join(source_text(s) for s in signs)}. "
        f"{source_text(UMN_RED_FLAG['explanation'])}"
    )


def _shown_flag_explanation(match: re.Match[str]) -> str:
    signs = ", ".join(shown(sign) for sign in match["signs"].split(", "))
    words = {"signs": signs, "explanation": UMN_RED_FLAG["explanation"]}
    return str(_("Positive: %(signs)s. %(explanation)s") % words)


def register_shown_flag_explanation() -> None:
    """Let pages show a stored flag explanation in their language, parts and frame alike; the
    stored English stays as it is."""
    register_composed(_STORED_EXPLANATION, _shown_flag_explanation)


def screening_words(screening: Mapping[str, Any]) -> list[str]:
    """The recorded pre-neck-work checks as sentences, for a note."""
    lines = []
    bp = screening.get("blood_pressure")
    if bp:
        lines.append(str(_("Blood pressure %(systolic)s/%(diastolic)s mmHg.") % bp))
    results = {"normal": _("normal"), "abnormal": _("abnormal")}
    for key, label in EXAMS.items():
        part = screening.get(key)
        if part:
            words = {"label": label, "result": results.get(part["result"], part["result"])}
            if part.get("note"):
                lines.append(str(_("%(label)s %(result)s: %(note)s.") % {**part, **words}))
            else:
                lines.append(str(_("%(label)s %(result)s.") % words))
    umn = screening.get("umn") or {}
    if umn:
        signs = ", ".join(
            f"{label} {UMN_RESULT_WORDS[umn[code]]}"
            for code, label in UMN_SIGNS.items()
            if code in umn
        )
        lines.append(str(_("Upper-motor-neurone signs: %(signs)s.") % {"signs": signs}))
    return lines
