"""Everything the exam templates show, worked out from an exam state and a protocol table.

Templates only lay it out: the engine's analysis in words, the form's current values, the
diagram's coordinates and the CMRT and cranial look-ups.
"""

from __future__ import annotations

from typing import Any

from sotclinic.sot import (
    CATEGORIES,
    CMRT_LINES,
    CMRT_POSITIONS,
    CRANIAL_ITEMS,
    INDICATORS,
    LEG_LENGTH_REASON_CODE,
    SIDES,
    VERTEBRAL_LEVELS,
    Analysis,
    FindingsError,
    ProtocolTable,
    cmrt_lookup,
    indicators_in_category,
)

from . import diagram
from .selectors import analyze_exam_findings, current_protocol_table, suggestion_fingerprint
from .state import (
    CMRT_PARTS,
    CRANIAL_PARTS,
    MAX_CMRT_ROWS,
    MAX_CRANIAL_ROWS,
    ExamFields,
    empty_state,
)

SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "both sides"}
SIDE_SHORT = {"left": "Left", "right": "Right", "bilateral": "Both"}
BLANK_ROWS = 2


def _indicator_label(code: str) -> str:
    indicator = INDICATORS.get(code)
    return indicator.label if indicator else code


def _reason_words(reason: dict[str, str], leg: dict[str, Any] | None) -> str:
    if reason["code"] == LEG_LENGTH_REASON_CODE:
        mm = (leg or {}).get("difference_mm")
        amount = f" by {mm} mm" if mm else ""
        return (
            f"Prone leg check: {reason['side']} leg short{amount}; the method uses the short-leg "
            "side to place the blocks."
        )
    where = "on both sides" if reason["side"] == "bilateral" else f"on the {reason['side']}"
    return (
        f"{_indicator_label(reason['code'])}: positive {where} "
        f"(a Category {reason['category']} indicator)."
    )


def _headline(analysis: Analysis) -> str:
    if analysis.status == "indeterminate":
        return "No suggestion: no category indicator is recorded as positive."
    if analysis.status == "conflict" and analysis.category is None:
        categories = sorted({r.category for r in analysis.reasons}, key=CATEGORIES.index)
        return (
            "Conflict: the findings point to more than one category "
            f"({' and '.join('Category ' + c for c in categories)}). "
            "No protocol is suggested; decide from the findings."
        )
    if analysis.status == "conflict":
        return (
            f"Conflict: the Category {analysis.category} findings do not agree on a side. "
            "Record the prone short leg or decide the side yourself; no protocol is suggested."
        )
    return f"Suggested: Category {analysis.category}, {analysis.side} side."


def _analysis_view(analysis: Analysis | None, leg: dict[str, Any] | None) -> dict[str, Any] | None:
    if analysis is None:
        return None
    body = analysis.as_dict()
    view: dict[str, Any] = {
        "result": body,
        "fingerprint": suggestion_fingerprint(body),
        "headline": _headline(analysis),
        "reasons": [_reason_words(reason, leg) for reason in body["reasons"]],
        "protocol": None,
    }
    if analysis.protocol is not None:
        protocol = analysis.protocol
        drawn = diagram.place_blocks(protocol.position, protocol.blocks)
        view["protocol"] = {
            "position": protocol.position,
            "blocks": [
                {**block.as_dict(), "number": index}
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
                "description": " ".join(
                    f"Block {b.number} under the patient's {b.side} side, {b.landmark}, "
                    f"at {b.angle_degrees} degrees."
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
                    ("", "not re-checked", value == ""),
                    ("cleared", "cleared", value == "cleared"),
                    ("present", "still present", value == "present"),
                ],
            }
        )
        {"cleared": cleared, "present": present}.get(value, open_).append(label)
    return {"rows": rows, "cleared": cleared, "present": present, "open": open_}


def _cmrt_rows(
    fields: ExamFields, saved: list[dict[str, Any]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    count = min(MAX_CMRT_ROWS, len(saved) + BLANK_ROWS)
    for index in range(count):
        row = saved[index] if index < len(saved) else {}
        lookup = None
        if row:
            found = cmrt_lookup(row["line"], row["position"])
            lookup = {
                "table_level": found.vertebral_level,
                "table_area": found.reflex_area,
            }
        rows.append(
            {
                "index": index,
                "values": row,
                "lookup": lookup,
                "names": {p: fields.cmrt(index, p) for p in CMRT_PARTS},
                "errors": {
                    p: errors[fields.cmrt(index, p)]
                    for p in CMRT_PARTS
                    if fields.cmrt(index, p) in errors
                },
            }
        )
    return rows


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
) -> dict[str, Any]:
    """The exam screen's content for one state (None: nothing recorded yet)."""
    state = state or empty_state()
    fields = ExamFields(prefix)
    findings = state.get("findings") or {"indicators": []}
    analysis, problem = _run_analysis(findings, table)
    positive: dict[str, str] = {}
    for entry in findings.get("indicators", []):
        positive[entry["code"]] = entry["side"]
    leg = findings.get("leg_length") or {}
    errors = errors or {}
    cmrt = _cmrt_rows(fields, state.get("cmrt") or [], errors)
    return {
        "prefix": prefix,
        "fields": {
            "leg_side": fields.leg_side,
            "leg_mm": fields.leg_mm,
        },
        "errors": errors,
        "groups": _indicator_groups(fields, positive, table, errors),
        "leg": {
            "side": leg.get("prone_short_side", ""),
            "mm": leg.get("difference_mm", ""),
            "side_error": errors.get(fields.leg_side),
            "mm_error": errors.get(fields.leg_mm),
        },
        "analysis": _analysis_view(analysis, leg),
        "analysis_problem": problem,
        "recheck": _recheck_rows(fields, positive, state.get("recheck") or {}, errors),
        "cmrt": cmrt,
        "cmrt_saved": [row for row in cmrt if row["values"]],
        "cranial": _cranial_rows(fields, state.get("cranial") or [], errors),
        "cranial_saved": state.get("cranial") or [],
        "options": {
            "cmrt_lines": CMRT_LINES,
            "cmrt_positions": CMRT_POSITIONS,
            "levels": VERTEBRAL_LEVELS,
            "sides": SIDES,
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
        "exam_screen": build_exam_screen(state, prefix, table, errors),
    }
