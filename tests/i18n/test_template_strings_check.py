"""tools/check_template_strings.py: the lint check for text outside translate tags."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "check_template_strings.py"
_spec = importlib.util.spec_from_file_location("check_template_strings", TOOL)
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def test_literal_text_node_is_found_with_its_line():
    source = "{% extends 'base.html' %}\n{% block content %}\n<p>Book now</p>\n{% endblock %}"

    assert check.literals(source) == [(3, "Book now")]


def test_translated_text_and_variables_pass():
    source = (
        '<h1>{% translate "Book an appointment" %}</h1>\n'
        "<p>{% blocktranslate trimmed with name=p.name %}Book with {{ name }}"
        "{% endblocktranslate %}</p>\n"
        "<p>{{ location.name }} · {{ location.phone }} – 10:00</p>"
    )

    assert check.literals(source) == []


def test_user_facing_attributes_are_checked_and_others_are_not():
    source = (
        '<input placeholder="Search" class="search-box" name="q">\n'
        '<img alt="{% translate \'Photo\' %}" src="x.png">\n'
        '<a title="Open the chart" href="/chart/" data-layout="width: 10%">x</a>\n'
        '<button type="submit" aria-label="{{ label }}">{% translate "Go" %}</button>'
    )

    found = check.literals(source)

    assert [line for line, _text in found] == [1, 3, 3]
    assert found[0][1] == 'placeholder="Search"'
    assert found[1][1] == 'title="Open the chart"'


def test_script_style_and_comments_are_ignored():
    source = (
        "<script>var label = 'Hello';</script><style>.x::after { content: 'More'; }</style>\n"
        "{# A note for developers #}<!-- markup note -->{% comment %}Old text{% endcomment %}"
    )

    assert check.literals(source) == []


def test_names_that_are_not_translated_pass():
    assert check.literals("<a class='brand'>sotclinic</a> <h2>CMRT</h2> <abbr>SOT</abbr>") == []


def test_literal_default_of_a_filter_is_found():
    found = check.literals('<h1>{{ location.name|default:"Welcome" }}</h1>')
    passing = check.literals(
        '<h1>{{ location.name|default:_("Welcome") }}</h1><p>{{ x|default:"—" }}</p>'
    )

    assert found == [(1, 'default:"Welcome"')]
    assert passing == []


def test_a_literal_handed_to_an_included_template_or_a_with_block_is_found():
    found = check.literals(
        '{% include "list.html" with rows=past empty="No past appointments." %}\n'
        "{% with note='Nothing booked.' %}{{ note }}{% endwith %}"
    )
    passing = check.literals(
        '{% include "list.html" with rows=past empty=_("No past appointments.") %}'
        '{% with report_name="revenue" %}{% include "nav.html" %}{% endwith %}'
    )

    assert found == [(1, 'empty="No past appointments."'), (2, "note='Nothing booked.'")]
    assert passing == []


def test_every_shipped_template_passes():
    result = subprocess.run(
        [sys.executable, str(TOOL)], capture_output=True, text=True, cwd=ROOT, check=False
    )

    assert result.returncode == 0, result.stdout


def test_a_deliberate_literal_fails_the_command(tmp_path):
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text(
        '{% block content %}<p>{% translate "Fine" %}</p><p>Not wrapped</p>{% endblock %}'
    )

    result = subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert "page.html:1: untranslated text: Not wrapped" in result.stdout
