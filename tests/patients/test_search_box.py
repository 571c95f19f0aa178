"""The search box is written in Python exactly as Django's widget templates write a text input."""

import pytest
from django import forms

from sotclinic.patients.forms import PatientSearchForm, SearchBox


@pytest.mark.parametrize("value", [None, "", "smith", "O'Brien \"<b>&amp;", 42])
@pytest.mark.parametrize(
    "attrs",
    [{}, {"type": "search", "autocomplete": "off", "autofocus": True, "hidden": False}],
)
def test_the_box_is_the_text_input_djangos_templates_write(value, attrs):
    given = {"id": "id_q", "maxlength": "100", "aria-describedby": 'a"b'}

    written = SearchBox(attrs=attrs).render("q", value, given)

    assert written == forms.TextInput(attrs=attrs).render("q", value, given)


def test_the_search_forms_box_keeps_what_was_typed():
    form = PatientSearchForm({"q": 'smith "<x>'})

    assert str(form["q"]) == (
        '<input type="search" name="q" value="smith &quot;&lt;x&gt;" autocomplete="off" '
        'autofocus maxlength="100" aria-describedby="id_q_helptext" id="id_q">'
    )
