"""A minimal exam form used only while the full SOT exam screen (``charting.exam``) is absent.

It reads and writes the same exam-state document as the exam screen, so notes saved with it stay
valid when the full screen is wired in.
"""

import json

from sotclinic.sot import INDICATORS, LATERAL_SIDES, SIDES


def exam_rows(state: dict | None) -> list[dict]:
    """One row per indicator with its recorded side and re-check result, for the template."""
    state = state or {}
    findings = state.get("findings") or {}
    sides = {i["code"]: i["side"] for i in findings.get("indicators", [])}
    recheck = state.get("recheck") or {}
    return [
        {
            "code": code,
            "label": indicator.label,
            "category": indicator.category,
            "side": sides.get(code, ""),
            "recheck": recheck.get(code, ""),
        }
        for code, indicator in INDICATORS.items()
    ]


def carried_parts(state: dict | None) -> str:
    """CMRT and cranial entries this form does not edit, kept as JSON in a hidden field."""
    state = state or {}
    return json.dumps({"cmrt": state.get("cmrt") or [], "cranial": state.get("cranial") or []})


def parse_exam_post(data, prefix: str = "exam") -> tuple[dict | None, dict[str, str]]:
    """The exam state from the fallback form's fields, and any field errors."""
    errors: dict[str, str] = {}
    indicators, recheck = [], {}
    for code in INDICATORS:
        side = data.get(f"{prefix}-ind-{code}", "")
        if side:
            if side not in SIDES:
                errors[f"{prefix}-ind-{code}"] = "Choose left, right or bilateral."
            else:
                indicators.append({"code": code, "side": side})
        result = data.get(f"{prefix}-recheck-{code}", "")
        if result in ("cleared", "present"):
            recheck[code] = result
    findings: dict = {"indicators": indicators}
    short = data.get(f"{prefix}-leg-side", "")
    if short and short != "none":
        if short not in LATERAL_SIDES:
            errors[f"{prefix}-leg-side"] = "Choose left or right."
        else:
            try:
                mm = float(data.get(f"{prefix}-leg-mm") or 0)
            except ValueError:
                errors[f"{prefix}-leg-mm"] = "Give the difference in millimetres."
                mm = 0
            findings["leg_length"] = {"prone_short_side": short, "difference_mm": mm}
    try:
        carried = json.loads(data.get(f"{prefix}-carry") or "{}")
    except ValueError:
        carried = {}
    state = {
        "findings": findings,
        "recheck": recheck,
        "cmrt": carried.get("cmrt", []),
        "cranial": carried.get("cranial", []),
    }
    return (None if errors else state), errors
