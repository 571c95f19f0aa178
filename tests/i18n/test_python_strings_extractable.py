"""Every string the Python code translates can be found by `make messages`.

GNU xgettext does not look inside f-strings: a ``gettext("…")`` written in an f-string's
braces is translated at run time only while its catalogue entry, added by hand, lasts; the
next `make messages` marks the entry obsolete and the German page loses the word. So no
translation call is written inside an f-string: its text is translated first, then put in."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "sotclinic"
TRANSLATING = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def calls_inside_f_strings(source: str) -> list[tuple[int, str]]:
    """(line, call) of each translation call written inside an f-string of ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                name = getattr(inner.func, "id", None) or getattr(inner.func, "attr", None)
                if name in TRANSLATING:
                    found.append((inner.lineno, ast.unparse(inner)))
    return found


def test_a_translation_call_inside_an_f_string_is_found():
    source = 'a = f"<b>{escape(gettext(\'Signed\'))}</b>"\nb = _("Draft")\nc = f"{x} {y}"\n'

    assert calls_inside_f_strings(source) == [(1, "gettext('Signed')")]


def test_no_translation_call_in_the_code_is_inside_an_f_string():
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {call}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, call in calls_inside_f_strings(path.read_text())
    ]

    assert found == []
