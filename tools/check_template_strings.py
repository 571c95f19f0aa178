#!/usr/bin/env python3
"""Fail on text a person reads in a template that is not marked for translation.

Text nodes and the user-facing attributes (placeholder, title, aria-label, alt, and the value
of buttons) must come from ``{% translate %}``, ``{% blocktranslate %}`` or a variable. Text
without letters (punctuation, numbers, symbols) and the names in ``NOT_TRANSLATED`` pass;
``<script>``, ``<style>``, comments and every other attribute are not looked at.

Usage: check_template_strings.py [TEMPLATE_DIR_OR_FILE ...]  (default: every template under src/)
Exit status 1 and one line per literal (file:line: text) when any is found.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_SUFFIXES = {".html", ".txt"}
USER_FACING_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-confirm"}
# Names and codes that read the same in every language.
NOT_TRANSLATED = {"sotclinic", "SOT", "CMRT", "ICD-10-CM", "FHIR", "NPRS", "RMDQ", "GRC", "TOTP"}

_BLOCK_TRANSLATE = re.compile(
    r"{%-?\s*blocktrans(?:late)?\b.*?%}.*?{%-?\s*endblocktrans(?:late)?\s*-?%}", re.S
)
_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NOT_TRANSLATED = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(n) for n in sorted(NOT_TRANSLATED, key=len, reverse=True))
    + r")(?![\w-])"
)
_LETTER = re.compile(r"[^\W\d_]")


def _blank(match: re.Match) -> str:
    """The match replaced by its line breaks, so line numbers stay right."""
    return " " + "\n" * match.group(0).count("\n")


def strip_template(source: str) -> str:
    """The template with everything that is not literal text removed (line numbers kept)."""
    for pattern in (
        _COMMENT_BLOCK,
        _BLOCK_TRANSLATE,
        _TAG_OR_VARIABLE,
        _SCRIPT_OR_STYLE,
        _HTML_COMMENT,
    ):
        source = pattern.sub(_blank, source)
    return source


def is_user_text(text: str) -> bool:
    return bool(_LETTER.search(_NOT_TRANSLATED.sub(" ", text)))


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_data(self, data: str) -> None:
        if is_user_text(data):
            leading = data[: len(data) - len(data.lstrip())]
            self.found.append((self.getpos()[0] + leading.count("\n"), " ".join(data.split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = dict(attrs).get("type", "")
        for name, value in attrs:
            facing = name in USER_FACING_ATTRIBUTES or (
                name == "value" and tag == "input" and kind in {"submit", "button", "reset"}
            )
            if facing and value and is_user_text(value):
                self.found.append((self.getpos()[0], f'{name}="{" ".join(value.split())}"'))

    handle_startendtag = handle_starttag


# A string default in a variable, ``{{ x|default:"Welcome" }}``; ``default:_("Welcome")`` is
# translated.
_LITERAL_DEFAULT = re.compile(r"""\|default(?:_if_none)?:("[^"]*"|'[^']*')""")


def _literal_defaults(source: str) -> list[tuple[int, str]]:
    found = []
    for variable in re.finditer(r"{{.*?}}", source, re.S):
        for match in _LITERAL_DEFAULT.finditer(variable.group(0)):
            if is_user_text(match.group(1)[1:-1]):
                line = source.count("\n", 0, variable.start()) + 1
                found.append((line, f"default:{match.group(1)}"))
    return found


# A string handed to an included template or a ``{% with %}`` block,
# ``{% include "x.html" with empty="Nothing booked." %}``; ``empty=_("Nothing booked.")`` is
# translated. A word without spaces (``report_name="revenue"``) is a name, not text.
_PASSED_LITERAL = re.compile(r"""\b\w+=("[^"]*\s[^"]*"|'[^']*\s[^']*')""")


def _passed_literals(source: str) -> list[tuple[int, str]]:
    found = []
    for tag in re.finditer(r"{%-?\s*(?:include|with)\b.*?%}", source, re.S):
        for match in _PASSED_LITERAL.finditer(tag.group(0)):
            if is_user_text(match.group(1)[1:-1]):
                line = source.count("\n", 0, tag.start()) + 1
                found.append((line, match.group(0)))
    return found


def literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every untranslated literal in a template's source."""
    finder = _Finder()
    finder.feed(strip_template(source))
    finder.close()
    return sorted(finder.found + _literal_defaults(source) + _passed_literals(source))


def template_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_file():
            files.append(path)
        else:
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix in TEMPLATE_SUFFIXES and "templates" in p.parts
            )
    return files


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / "src"]
    problems = 0
    for file in template_files(paths):
        for line, text in literals(file.read_text(encoding="utf-8")):
            shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
            print(f"{shown}:{line}: untranslated text: {text}")
            problems += 1
    if problems:
        print(
            f"{problems} literal text(s) outside {{% translate %}} / {{% blocktranslate %}}.",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
