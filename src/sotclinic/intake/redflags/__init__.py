"""Red-flag screening for the intake: questions and rules as data, each rule with its source.

Pure Python, no Django. The intake form renders ``questions_for(complaints)``; the answers go
to ``screen(answers, age, complaints)``, whose ``ScreenResult.positive`` marks the chart until
a practitioner records how each flag was handled. The screen raises suspicion; it does not
diagnose, and a negative screen does not rule serious disease out (see ``ScreenResult.caveat``).

Typical use::

    for question in questions_for({"low_back"}):
        ...  # render question.text with yes / no / not sure
    result = screen({"lb_saddle_numbness": "yes"}, age=54, complaints={"low_back"})
    result.positive, result.highest_severity.label, result.flags[0].sources
"""

from __future__ import annotations

from .screening import Flag, ScreenResult, Undetermined, questions_for, screen
from .table import (
    Question,
    RedFlagError,
    RedFlagTable,
    Rule,
    Severity,
    Source,
    default_table,
    parse_table,
)

__all__ = [
    "Flag",
    "Question",
    "RedFlagError",
    "RedFlagTable",
    "Rule",
    "ScreenResult",
    "Severity",
    "Source",
    "Undetermined",
    "default_table",
    "parse_table",
    "questions_for",
    "screen",
]
