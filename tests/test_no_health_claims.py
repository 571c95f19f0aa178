"""No text the project ships claims a mechanism, comfort or benefit of treatment.

Checked at the source of every such text: each template, the README, every public text the
demo clinic loads into the database (whatever field it is in) and the public pages as served.
A text may describe what happens at a visit; it may not promise how it feels or what it does.
"""

import io
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.db import models

import sotclinic
from sotclinic.scheduling.models import (
    AppointmentType,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
)

PACKAGE = Path(sotclinic.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*") if p.suffix in (".html", ".txt"))
README = PACKAGE.parent.parent / "README.md"

#: Words that promise a result or a feeling. Word stems, matched as whole words.
CLAIMS = re.compile(
    r"\b(?:cur(?:e|es|ed|ing)|heal(?:s|ed|ing)?|comfortabl[ey]|gentl[ey]|gentler|"
    r"improv(?:e|es|ed|ing|ement|ements)|reliev(?:e|es|ed|ing)|relief|safe and effective|"
    r"effective(?:ly)?|painless|pain-free|soothing|boost(?:s|ed)?|"
    r"wellness|low-force|realign(?:s|ed|ment)?|rebalanc(?:e|es|ed|ing))\b",
    re.IGNORECASE,
)

#: Measurement language on staff outcome pages: "improved" there is a score that changed by
#: the minimal important difference, or a re-check result the practitioner records, not a
#: promise. Each allowance names the template and the exact phrase.
MEASUREMENT_PHRASES = {
    "outcomes/dashboard.html": (
        "Improved by at least the MCID",
        "Median improvement",
        "Improvement is counted in the instrument",
    ),
    "outcomes/patient.html": ("Improvement from baseline", "Improved by at least the MCID"),
    "exam/_exam.html": ('<option value="improved">',),
}


def claims_in(text: str) -> list[str]:
    return [match.group(0) for match in CLAIMS.finditer(text)]


def readable_text(source: str) -> str:
    """A template's text as people read it: the texts of translate tags kept, template code
    ({{ point.improvement }} is a variable name, not text anyone reads) removed."""
    source = re.sub(
        r"""{%\s*translate\s+("[^"]*"|'[^']*')[^%]*%}""", lambda m: m.group(1)[1:-1], source
    )
    translated_defaults = re.findall(r"""_\("([^"]*)"\)""", source)  # default:_("…")
    return " ".join([re.sub(r"{{.*?}}|{%.*?%}", " ", source), *translated_defaults])


def _template_name(path: Path) -> str:
    return str(path).split("templates/", 1)[-1]


def test_the_check_catches_the_kind_of_claim_it_is_for():
    old_faq = (
        "They use your own body weight for a slow, gentle adjustment and most people find "
        "them comfortable."
    )

    assert claims_in(old_faq) == ["gentle", "comfortable"]
    assert claims_in("A safe and effective way to relieve pain and heal.") == [
        "safe and effective",
        "relieve",
        "heal",
    ]
    assert claims_in("Your health history and a healthy lunch.") == []


def test_translated_template_text_is_checked_too():
    source = (
        '<p>{% translate "A gentle visit" %}</p>'
        "{% blocktranslate trimmed %}It will relieve {{ x }}.{% endblocktranslate %}"
        '{{ y|default:_("Healing") }}'
    )

    assert claims_in(readable_text(source)) == ["gentle", "relieve", "Healing"]


def test_no_translation_claims_anything():
    """The catalogues' English texts include those of Python code (forms, messages)."""
    for po_path in sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po_path)):
            english = " ".join(filter(None, [entry.msgid, entry.msgid_plural]))
            allowed = [p for phrases in MEASUREMENT_PHRASES.values() for p in phrases]
            for phrase in allowed:
                english = english.replace(phrase, "")
            assert claims_in(english) == [], entry.msgid


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=_template_name)
def test_no_template_claims_a_mechanism_comfort_or_benefit(template):
    text = readable_text(template.read_text())
    for phrase in MEASUREMENT_PHRASES.get(_template_name(template), ()):
        assert phrase in text, f"stale allowance {phrase!r}"
        text = text.replace(phrase, "")

    assert claims_in(text) == []


def test_the_readme_claims_nothing():
    assert claims_in(README.read_text()) == []


def _text_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


@pytest.mark.django_db
def test_no_public_text_the_demo_loads_claims_anything(client):
    call_command("demo", stdout=io.StringIO())

    found = {}
    for model in (ClinicSettings, FaqEntry, Practitioner, AppointmentType, Location):
        for row in model.objects.all():
            for name in _text_fields(model):
                claims = claims_in(str(getattr(row, name) or ""))
                if claims:
                    found[f"{model.__name__}.{name} #{row.pk}"] = claims

    assert found == {}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/portal/book/"])
def test_the_demo_clinics_public_pages_claim_nothing(client, url):
    call_command("demo", stdout=io.StringIO())

    page = client.get(url)

    assert page.status_code == 200
    assert claims_in(re.sub(r"<[^>]+>", " ", page.content.decode())) == []
