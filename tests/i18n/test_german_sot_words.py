"""On a German clinic's pages an SOT category is a "Kategorie" and a side is "links", "rechts"
or "beidseitig" everywhere: the live exam, the analysis, a saved draft, a signed note (with its
old one-line leg check), the chart and the SOT settings. sotclinic.exam.words is their one
table; these pages fail here if any of them shows an English category or side word again."""

import html
import re

import pytest
from django.utils import translation

from sotclinic.accounts.models import Role
from sotclinic.exam import words
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    exam_state,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    save_note,
    sign_visit,
)

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(
    r"\b(Category|Categories|Cat\.|left|right|Left|Right|both sides|Both|bilateral|Bilateral"
    r"|prone|supine|measured|suspected|still present)\b"
)


@pytest.fixture(autouse=True)
def german_clinic():
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()


def visible_words(response) -> str:
    """The page's text as a reader sees it: no tags, scripts or attribute values, and without
    the cited sources, which stay in their own language."""
    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    content = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", content, flags=re.S)
    content = re.sub(r"<details>\s*<summary>[^<]*</summary>.*?</details>", " ", content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def assert_no_english(page: str) -> None:
    found = sorted({m.group(0) for m in ENGLISH.finditer(page)})
    context = [page[max(0, m.start() - 60) : m.end() + 40] for m in ENGLISH.finditer(page)][:5]
    assert not found, f"English words on a German page: {found}: {context}"


def _state():
    state = exam_state(
        ("arm_fossa_test", "left"),
        ("inguinal_ligament_sensitivity", "left"),
        ("sciatic_pain_points", "right"),
        short_leg="left",  # the old single prone check
        recheck={"arm_fossa_test": "present", "inguinal_ligament_sensitivity": "cleared"},
    )
    state["findings"]["anatomical_short_leg"] = {"status": "suspected", "side": "right"}
    return state


@pytest.fixture
def practitioner_client(login):
    practitioner = make_practitioner(make_location())
    client = login(practitioner.user)
    return practitioner, client


def test_a_draft_visit_with_findings(practitioner_client):
    practitioner, client = practitioner_client
    visit = make_visit(practitioner, make_patient())
    save_note(
        visit,
        exam_state=_state(),
        confirmed_category="II",
        confirmed_side="left",
        override_reason="Klinische Entscheidung",
    )

    page = visible_words(client.get(f"/staff/visits/{visit.pk}/"))

    assert_no_english(page)
    assert "Kategorie II" in page and "Kategorie III" in page
    assert "Früher als eine Prüfung in Bauchlage erfasst: links kurz" in page
    assert "Inguinal ligament sensitivity" not in page and "Arm fossa test" not in page


def test_a_signed_note_and_the_chart(practitioner_client):
    practitioner, client = practitioner_client
    patient = make_patient()
    visit = make_visit(practitioner, patient)
    sign_visit(
        visit,
        exam_state=_state(),
        confirmed_category="III",
        confirmed_side="right",
        override_reason="Klinische Entscheidung",
        blocking_category="II",
        blocking_side="bilateral",
    )

    page = visible_words(client.get(f"/staff/visits/{visit.pk}/"))
    chart = visible_words(client.get(f"/staff/patients/{patient.pk}/chart/"))

    assert_no_english(page)
    assert_no_english(chart)
    assert "Kurzes Bein in Bauchlage: links, 5 mm." in page
    assert "Kategorie III rechts" in page and "Kategorie II beidseitig" in page
    assert "Anatomisch kurzes Bein (vermutet), rechts" in page
    assert "weiterhin vorhanden" in page
    # The indicators' names come from the SOT data files, in German too.
    for english in ("Arm fossa test", "Inguinal ligament sensitivity", "sciatic nerve"):
        assert english not in page, english


def test_the_sot_settings_page(login):
    client = login(_user(Role.PRACTITIONER))
    page = visible_words(client.get("/exam/settings"))

    assert_no_english(page)
    assert "Wenn die Bezugsseite ist  links" in page
    assert "Kategorie I" in page


def _user(role):
    from tests.factories import make_user

    return make_user(role)


def test_the_words_of_unknown_and_empty_codes():
    with translation.override("de"):
        assert words.side_words("left") == "links"
        assert words.side_short("bilateral") == "Beidseitig"
        assert words.category_name("III") == "Kategorie III"
        assert words.position_words("prone") == "Bauchlage"
        assert words.side_words("sideways") == "sideways"
        assert words.position_words("standing") == "standing"
    for word in (words.side_words, words.side_short, words.category_name, words.position_words):
        assert word("") == "" and word(None) == ""
    with translation.override("en-gb"):
        assert words.category_name("II") == "Category II"
        assert str(words.category_name_lazy("I")) == "Category I"
        assert str(words.side_short_lazy("left")) == "Left"
