"""Templates hold no code or styles that the Content-Security-Policy would block.

The policy allows scripts and styles only from the app's own static files; the browser test
(tests/e2e/test_content_security_policy.py) covers the pages it visits, this covers every
template, including those no browser test opens.
"""

import re
from pathlib import Path

import pytest

import sotclinic

TEMPLATES = sorted(Path(sotclinic.__file__).parent.rglob("templates/**/*.html"))
BLOCKED = {
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on...= handler attribute": re.compile(
        r"\son(?:abort|blur|change|click|dblclick|error|focus|input|key\w+|load|mouse\w+|"
        r"pointer\w+|reset|scroll|select|submit|touch\w+|unload|beforeunload)\s*=",
        re.I,
    ),
    "javascript: URL": re.compile(r"""(?:href|action|src)\s*=\s*["']?\s*javascript:""", re.I),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("templates/")[-1])
def test_template_has_no_inline_script_style_or_handler(template):
    text = template.read_text()

    found = [name for name, pattern in BLOCKED.items() if pattern.search(text)]

    assert found == [], f"{template.name}: move it into static/sotclinic/ (app.js, app.css)"
