"""Everything the exam templates show, worked out from an exam state and a protocol table.

Templates only lay it out: the engine's analysis in words, the form's current values, the
diagram's coordinates and the CMRT and cranial look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sotclinic.data_text import shown
from sotclinic.sot import (
    ANATOMICAL_SHORT_LEG_NOTE,
    ANATOMICAL_SHORT_LEG_REASON_CODE,
    CATEGORIES,
    CMRT_AREAS,
    CONFIDENCE_LEVELS,
    CRANIAL_EVIDENCE,
    CRANIAL_ITEMS,
    INDICATORS,
    LEG_CHECK_DISAGREEMENT_REASON_CODE,
    LEG_CHECK_METHODS,
    LEG_LENGTH_REASON_CODE,
    OCCIPITAL_LINES,
    OLD_LAYOUT_LABEL,
    RC_PAIRS,
    SIDES,
    TRAPEZIUS_SOURCE,
    VERTEBRAL_LEVELS,
    Analysis,
    FindingsError,
    ProtocolTable,
    area_level,
    indicators_in_category,
)

from . import diagram
from .screening import EXAMS, UMN_RESULT_WORDS, UMN_RESULTS, UMN_SIGNS, positive_umn_signs
from .selectors import (
    analyze_exam_findings,
    current_cmrt_area_levels,
    current_protocol_table,
    suggestion_fingerprint,
)
from .state import (
    ANATOMICAL_PARTS,
    CMRT_PARTS,
    CRANIAL_PARTS,
    LEG_CHECK_PARTS,
    MAX_CMRT_ROWS,
    MAX_CRANIAL_ROWS,
    MAX_RC_ROWS,
    RC_PARTS,
    ExamFields,
    cmrt_rows_of,
    empty_state,
)
from .words import (
    ANATOMICAL_STATUS_WORDS,
    POSITION_WORDS,
    SIDE_SHORT,
    SIDE_WORDS,
    category_name,
)

# The analysis' status, as the panel's summary names it.
STATUS_WORDS = {
    "determined": _("determined"),
    "conflict": _("conflict"),
    "indeterminate": _("indeterminate"),
}
BLANK_ROWS = 2

_BLOCK_WORDS = {
    "left": _(
        "Block %(number)s under the patient's left side, %(landmark)s, at %(angle)s degrees."
    ),
    "right": _(
        "Block %(number)s under the patient's right side, %(landmark)s, at %(angle)s degrees."
    ),
}


_SUGGESTED = {
    "left": _("Suggested: Category %(category)s, left side."),
    "right": _("Suggested: Category %(category)s, right side."),
}
_INDICATOR_REASON = {
    "left": _("%(indicator)s: positive on the left (a Category %(category)s indicator)."),
    "right": _("%(indicator)s: positive on the right (a Category %(category)s indicator)."),
    "bilateral": _("%(indicator)s: positive on both sides (a Category %(category)s indicator)."),
}


def _indicator_label(code: str) -> str:
    indicator = INDICATORS.get(code)
    return indicator.label if indicator else code


_CONFIDENCE_WORDS = {"high": _("high"), "medium": _("medium"), "low": _("low")}


def _short_leg_words(side: str, mm: Any) -> str:
    if side == "none":
        return str(_("legs equal"))
    words = {"side": SIDE_WORDS.get(side, side), "mm": mm}
    if mm:
        return str(_("%(side)s leg short by %(mm)s mm") % words)
    return str(_("%(side)s leg short") % words)


def leg_check_words(check: dict[str, Any]) -> str:
    """One recorded leg check in words: method, result, difference and confidence."""
    info = LEG_CHECK_METHODS.get(check.get("method", ""))
    method = shown(info.label) if info else str(_("Leg check"))
    result = _short_leg_words(check.get("short_side") or "none", check.get("difference_mm"))
    confidence = check.get("confidence")
    if confidence:
        words = {"confidence": _CONFIDENCE_WORDS.get(confidence, confidence)}
        said = _("%(confidence)s confidence") % words
    else:
        said = _("confidence not given")
    return str(
        _("%(method)s: %(result)s (%(confidence)s)")
        % {"method": method, "result": result, "confidence": said}
    )


def reason_words(reason: dict[str, Any], findings: dict[str, Any] | None) -> str:
    """One reason of a stored or live analysis in plain words, never a bare code.

    Shared by the exam screen and the chart (``charting.selectors.describe_suggestion``) so a
    signed note and the live panel say the same thing.
    """
    findings = findings or {}
    code = reason.get("code")
    if code == LEG_LENGTH_REASON_CODE:
        method = reason.get("method")
        check = next(
            (c for c in findings.get("leg_checks") or [] if c.get("method") == method), None
        )
        if check is not None:
            used = leg_check_words(check)
        else:
            mm = (findings.get("leg_length") or {}).get("difference_mm")
            info = LEG_CHECK_METHODS.get(method)
            label = shown(info.label) if info else _("Prone")
            used = str(
                _("%(method)s leg check: %(result)s")
                % {"method": label, "result": _short_leg_words(reason["side"], mm)}
            )
        return str(
            _("%(check)s; the method uses the short-leg side from this check to place the blocks.")
            % {"check": used}
        )
    if code == LEG_CHECK_DISAGREEMENT_REASON_CODE:
        checks = "; ".join(leg_check_words(c) for c in findings.get("leg_checks") or [])
        headline = str(_("The prone and supine leg checks disagree on the short side"))
        # The engine's note may open with the same sentence; say it once.
        detail = shown(reason.get("detail") or "").removeprefix(headline + ".").strip()
        said = headline + (f" ({checks})" if checks else "") + "."
        return f"{said} {detail}".strip()
    if code == ANATOMICAL_SHORT_LEG_REASON_CODE:
        flag = findings.get("anatomical_short_leg") or {}
        status = flag.get("status")
        side = reason.get("side") or flag.get("side")
        detail = shown(reason.get("detail") or ANATOMICAL_SHORT_LEG_NOTE.note)
        words = {
            "status": ANATOMICAL_STATUS_WORDS.get(status, status) if status else _("recorded"),
            "side": SIDE_WORDS.get(side, side),
        }
        if side:
            said = _("Anatomical short leg (%(status)s), %(side)s side.") % words
        else:
            said = _("Anatomical short leg (%(status)s), side not given.") % words
        return f"{said} {detail}"
    if code not in INDICATORS:
        return "A finding this version of sotclinic does not know (kept as recorded)."
    words = {"indicator": shown(_indicator_label(reason["code"])), "category": reason["category"]}
    return str(_INDICATOR_REASON.get(reason["side"], _INDICATOR_REASON["bilateral"]) % words)


def _headline(analysis: Analysis) -> str:
    if analysis.status == "indeterminate":
        return str(_("No suggestion: no category indicator is recorded as positive."))
    if analysis.status == "conflict" and analysis.category is None:
        categories = sorted({r.category for r in analysis.reasons}, key=CATEGORIES.index)
        return str(
            _(
                "Conflict: the findings point to more than one category (%(categories)s). "
                "No protocol is suggested; decide from the findings."
            )
            % {"categories": str(_(" and ")).join(category_name(c) for c in categories)}
        )
    if analysis.status == "conflict":
        return str(
            _(
                "Conflict: the Category %(category)s findings do not agree on a side. "
                "Record the prone short leg or decide the side yourself; no protocol is "
                "suggested."
            )
            % {"category": analysis.category}
        )
    headline = _SUGGESTED.get(analysis.side or "", _SUGGESTED["left"])
    return str(headline % {"category": analysis.category})


def _analysis_view(analysis: Analysis | None, findings: dict[str, Any]) -> dict[str, Any] | None:
    if analysis is None:
        return None
    body = analysis.as_dict()
    view: dict[str, Any] = {
        "result": body,
        "fingerprint": suggestion_fingerprint(body),
        "headline": _headline(analysis),
        "side_words": SIDE_WORDS.get(analysis.side or "", analysis.side),
        "status_words": STATUS_WORDS.get(analysis.status, analysis.status),
        "reasons": [reason_words(reason, findings) for reason in body["reasons"]],
        "protocol": None,
    }
    if analysis.protocol is not None:
        protocol = analysis.protocol
        drawn = diagram.place_blocks(protocol.position, protocol.blocks)
        view["protocol"] = {
            "position": protocol.position,
            "position_words": POSITION_WORDS.get(protocol.position, protocol.position),
            "blocks": [
                {
                    **block.as_dict(),
                    "number": index,
                    "side_words": SIDE_WORDS.get(block.side, block.side),
                }
                for index, block in enumerate(protocol.blocks, start=1)
            ],
            "recheck": [_indicator_label(code) for code in protocol.recheck],
            "diagram": {
                "width": diagram.WIDTH,
                "height": diagram.HEIGHT,
                "offset_x": diagram.OFFSET_X,
                "offset_y": diagram.OFFSET_Y,
                "block_w": diagram.BLOCK_W,
                "block_h": diagram.BLOCK_H,
                "blocks": drawn,
                "viewer_left": diagram.viewer_left_side(protocol.position),
                "viewer_right": "right"
                if diagram.viewer_left_side(protocol.position) == "left"
                else "left",
                "viewer_left_words": SIDE_WORDS[diagram.viewer_left_side(protocol.position)],
                "viewer_right_words": SIDE_WORDS[
                    "right" if diagram.viewer_left_side(protocol.position) == "left" else "left"
                ],
                "description": " ".join(
                    _BLOCK_WORDS[b.side]
                    % {"number": b.number, "landmark": shown(b.landmark), "angle": b.angle_degrees}
                    for b in drawn
                ),
            },
        }
    return view


def _run_analysis(
    findings: dict[str, Any], table: ProtocolTable
) -> tuple[Analysis | None, str | None]:
    try:
        return analyze_exam_findings(findings, table), None
    except FindingsError as error:  # a stored state from an older registry, for instance
        return None, f"These findings cannot be analysed: {error}"


def _indicator_groups(
    fields: ExamFields, sides: dict[str, str], table: ProtocolTable, errors: dict[str, str]
) -> list:
    groups = []
    for category in CATEGORIES:
        rows = []
        for indicator in indicators_in_category(category):
            chosen = sides.get(indicator.code, "")
            rows.append(
                {
                    "code": indicator.code,
                    "label": indicator.label,
                    "examination": indicator.examination,
                    "name": fields.indicator(indicator.code),
                    "error": errors.get(fields.indicator(indicator.code)),
                    "choices": [("", "—", chosen == "")]
                    + [(s, SIDE_SHORT[s], chosen == s) for s in indicator.sides],
                }
            )
        groups.append(
            {
                "category": category,
                "position": table.category(category).position,
                "position_words": POSITION_WORDS.get(
                    table.category(category).position, table.category(category).position
                ),
                "indicators": rows,
            }
        )
    return groups


def _recheck_rows(
    fields: ExamFields, positive: dict[str, str], recheck: dict[str, str], errors: dict[str, str]
) -> dict:
    rows, cleared, present, open_ = [], [], [], []
    for code, side in positive.items():
        value = recheck.get(code, "")
        label = _indicator_label(code)
        rows.append(
            {
                "code": code,
                "label": label,
                "side": SIDE_WORDS[side],
                "name": fields.recheck(code),
                "error": errors.get(fields.recheck(code)),
                "choices": [
                    ("", _("not re-checked"), value == ""),
                    ("cleared", _("cleared"), value == "cleared"),
                    ("present", _("still present"), value == "present"),
                ],
            }
        )
        {"cleared": cleared, "present": present}.get(value, open_).append(shown(label))
    return {"rows": rows, "cleared": cleared, "present": present, "open": open_}


def _cmrt_rows(
    fields: ExamFields, saved: list[dict[str, Any]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    count = min(MAX_CMRT_ROWS, len(saved) + BLANK_ROWS)
    for index in range(count):
        row = saved[index] if index < len(saved) else {}
        trapezius = row.get("trapezius_confirmed")
        rows.append(
            {
                "index": index,
                "values": row,
                "trapezius": {True: "confirmed", False: "not_confirmed"}.get(trapezius, ""),
                "words": cmrt_words(row) if row else "",
                "names": {p: fields.cmrt(index, p) for p in CMRT_PARTS},
                "errors": {
                    p: errors[fields.cmrt(index, p)]
                    for p in CMRT_PARTS
                    if fields.cmrt(index, p) in errors
                },
            }
        )
    return rows


def cmrt_words(row: dict[str, Any]) -> str:
    """A version-2 CMRT finding in words."""
    line = OCCIPITAL_LINES.get(row.get("line"))
    kind = shown(line.label) if line else str(_("Line %(line)s") % {"line": row.get("line")})
    level = row.get("vertebral_level") or _("level not given")
    reflex = shown(row.get("reflex_area")) or _("reflex area not given")
    trapezius = {
        True: _("trapezius reflex confirmed at %(level)s"),
        False: _("trapezius reflex not confirmed at %(level)s"),
    }.get(row.get("trapezius_confirmed"), _("trapezius not checked"))
    side = row.get("side")
    words = {
        "kind": kind,
        "area": row.get("area"),
        "side": SIDE_WORDS.get(side, side),
        "level": level,
        "reflex": reflex,
        "trapezius": trapezius % {"level": level},
    }
    said = _("%(kind)s, area %(area)s, %(side)s: %(level)s → %(reflex)s; %(trapezius)s")
    return str(said % words)


def cmrt_old_words(row: dict[str, Any]) -> str:
    """A CMRT entry kept under the old layout, in words, with its label."""
    parts = ", ".join(f"{key} {value}" for key, value in row.items() if value not in (None, ""))
    return f"{parts or 'empty entry'} ({OLD_LAYOUT_LABEL})"


def _rc_rows(
    fields: ExamFields, saved: list[dict[str, Any]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    count = min(MAX_RC_ROWS, len(saved) + 1)
    return [
        {
            "index": index,
            "values": saved[index] if index < len(saved) else {},
            "names": {p: fields.rc(index, p) for p in RC_PARTS},
            "errors": {
                p: errors[fields.rc(index, p)] for p in RC_PARTS if fields.rc(index, p) in errors
            },
        }
        for index in range(count)
    ]


def rc_words(row: dict[str, Any]) -> str:
    """An R+C factor finding in words."""
    pair = RC_PAIRS.get(row.get("pair", ""))
    name = f"{pair.upper}–{pair.lower}" if pair else str(row.get("pair"))
    side = row.get("side")
    words = {"pair": name, "side": SIDE_WORDS.get(side, side), "response": row.get("response")}
    if row.get("response"):
        return str(_("R+C factor %(pair)s (%(side)s): %(response)s") % words)
    return str(_("R+C factor %(pair)s (%(side)s)") % words)


def _leg_view(fields: ExamFields, findings: dict[str, Any], errors: dict[str, str]) -> dict:
    by_method = {c.get("method"): c for c in findings.get("leg_checks") or []}
    checks = []
    for method, info in LEG_CHECK_METHODS.items():
        check = by_method.get(method, {})
        names = {part: fields.leg_check(method, part) for part in LEG_CHECK_PARTS}
        checks.append(
            {
                "method": method,
                "label": info.label,
                "side": check.get("short_side", ""),
                "mm": check.get("difference_mm", ""),
                "confidence": check.get("confidence", ""),
                "names": names,
                "errors": {p: errors[n] for p, n in names.items() if n in errors},
            }
        )
    flag = findings.get("anatomical_short_leg") or {}
    names = {part: fields.anatomical(part) for part in ANATOMICAL_PARTS}
    old = findings.get("leg_length")
    return {
        "checks": checks,
        "anatomical": {
            "status": flag.get("status", ""),
            "side": flag.get("side", ""),
            "mm": flag.get("difference_mm", ""),
            "names": names,
            "errors": {p: errors[n] for p, n in names.items() if n in errors},
            "note": ANATOMICAL_SHORT_LEG_NOTE.note,
            "source": ANATOMICAL_SHORT_LEG_NOTE.source,
        },
        # A state saved with the single prone check: carried as it was until checks replace it.
        "old": old,
        "old_fields": {"side": fields.leg_side, "mm": fields.leg_mm},
    }


def _screening_view(
    fields: ExamFields, screening: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    bp = screening.get("blood_pressure") or {}
    exams = []
    for key, label in EXAMS.items():
        slug = key.replace("_", "")
        part = screening.get(key) or {}
        names = {
            "result": fields.screening(f"{slug}-result"),
            "note": fields.screening(f"{slug}-note"),
        }
        exams.append(
            {
                "label": label,
                "result": part.get("result", ""),
                "note": part.get("note", ""),
                "names": names,
                "errors": {p: errors[n] for p, n in names.items() if n in errors},
            }
        )
    umn = screening.get("umn") or {}
    signs = []
    for code, label in UMN_SIGNS.items():
        name = fields.screening(f"umn-{code}")
        signs.append(
            {
                "code": code,
                "label": label,
                "name": name,
                "error": errors.get(name),
                "choices": [("", "—", not umn.get(code))]
                + [(r, UMN_RESULT_WORDS[r], umn.get(code) == r) for r in UMN_RESULTS],
            }
        )
    bp_names = {p: fields.screening(f"bp-{p}") for p in ("systolic", "diastolic")}
    return {
        "bp": {
            "systolic": bp.get("systolic", ""),
            "diastolic": bp.get("diastolic", ""),
            "names": bp_names,
            "errors": {p: errors[n] for p, n in bp_names.items() if n in errors},
        },
        "exams": exams,
        "umn": signs,
        "positive_umn": positive_umn_signs({"screening": screening}),
    }


def _cranial_rows(
    fields: ExamFields, saved: list[dict[str, Any]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    count = min(MAX_CRANIAL_ROWS, len(saved) + BLANK_ROWS)
    return [
        {
            "index": index,
            "values": saved[index] if index < len(saved) else {},
            "names": {p: fields.cranial(index, p) for p in CRANIAL_PARTS},
            "errors": {
                p: errors[fields.cranial(index, p)]
                for p in CRANIAL_PARTS
                if fields.cranial(index, p) in errors
            },
        }
        for index in range(count)
    ]


def build_exam_screen(
    state: dict[str, Any] | None,
    prefix: str,
    table: ProtocolTable,
    errors: dict[str, str] | None = None,
    area_levels: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The exam screen's content for one state (None: nothing recorded yet).

    ``area_levels`` is the clinic's CMRT area → level table, shown beside each area to choose.
    """
    state = state or empty_state()
    fields = ExamFields(prefix)
    findings = state.get("findings") or {"indicators": []}
    analysis, problem = _run_analysis(findings, table)
    positive: dict[str, str] = {}
    for entry in findings.get("indicators", []):
        positive[entry["code"]] = entry["side"]
    errors = errors or {}
    cmrt_current, cmrt_old = cmrt_rows_of(state)
    cmrt = _cmrt_rows(fields, cmrt_current, errors)
    rc_saved = state.get("rc_factors") or []
    return {
        "prefix": prefix,
        "errors": errors,
        "groups": _indicator_groups(fields, positive, table, errors),
        "leg": _leg_view(fields, findings, errors),
        "screening": _screening_view(fields, state.get("screening") or {}, errors),
        "analysis": _analysis_view(analysis, findings),
        "analysis_problem": problem,
        "recheck": _recheck_rows(fields, positive, state.get("recheck") or {}, errors),
        "cmrt": cmrt,
        "cmrt_saved": [row for row in cmrt if row["values"]],
        "cmrt_old": [cmrt_old_words(row) for row in cmrt_old],
        "cmrt_trapezius_source": TRAPEZIUS_SOURCE,
        "rc": _rc_rows(fields, rc_saved, errors),
        "rc_saved": [rc_words(row) for row in rc_saved],
        "cranial": _cranial_rows(fields, state.get("cranial") or [], errors),
        "cranial_saved": [
            {**row, "side_words": SIDE_WORDS.get(row.get("side"), row.get("side"))}
            for row in state.get("cranial") or []
        ],
        "cranial_evidence": CRANIAL_EVIDENCE,
        "options": {
            "cmrt_lines": [(n, OCCIPITAL_LINES[n].label) for n in sorted(OCCIPITAL_LINES)],
            "cmrt_areas": [(a, area_level(a, area_levels)) for a in CMRT_AREAS],
            "levels": VERTEBRAL_LEVELS,
            "sides": [(side, SIDE_WORDS[side]) for side in SIDES],
            "lateral_sides": [(side, SIDE_WORDS[side]) for side in ("left", "right")],
            "confidence": [(level, _CONFIDENCE_WORDS[level]) for level in CONFIDENCE_LEVELS],
            "rc_pairs": [(p.code, f"{p.upper}–{p.lower}") for p in RC_PAIRS.values()],
            "cranial": list(CRANIAL_ITEMS.values()),
        },
    }


def exam_context(
    state: dict[str, Any] | None,
    prefix: str = "exam",
    protocol_table: ProtocolTable | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Template context for ``exam/_exam.html``: merge it into the page's context.

    ``protocol_table`` defaults to the clinic's table in force; ``errors`` are the field errors
    from ``parse_exam_post``, shown next to their fields.
    """
    table = protocol_table if protocol_table is not None else current_protocol_table()
    return {
        "exam_state": state,
        "exam_prefix": prefix,
        "exam_errors": errors or {},
        "exam_screen": build_exam_screen(
            state, prefix, table, errors, area_levels=current_cmrt_area_levels()
        ),
    }
