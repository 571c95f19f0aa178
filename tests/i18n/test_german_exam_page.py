"""A German clinic's exam page and analysis panel show the SOT tables' texts and the
pre-neck screen in German; the values posted and stored stay the English identifiers."""

import html
import re

import pytest
from django.utils import translation

from sotclinic import sot
from sotclinic.accounts.models import Role
from sotclinic.data_text import DataText
from sotclinic.exam.screening import UMN_SIGNS
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def german_clinic():
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()


@pytest.fixture
def practitioner(login):
    return login(make_user(Role.PRACTITIONER))


def _page(response) -> str:
    """The words on the page, tags removed and entities decoded."""
    assert response.status_code == 200
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def _variants(english: str) -> DataText:
    return DataText(sot.text_variants()[english])


def _assert_german(page: str, texts) -> None:
    for text in texts:
        german = text.in_language("de")
        if german != text.source:  # a proper name such as "Antidote" is the same in both
            assert text.source not in page, text.source
        assert german in page, german


def test_the_exam_page_shows_no_english_data_text(practitioner):
    response = practitioner.get("/exam/new")
    page = _page(response)
    # The examination texts are the indicators' tooltips (title attributes).
    _assert_german(
        html.unescape(response.content.decode()),
        [_variants(i.examination) for i in sot.INDICATORS.values()],
    )

    _assert_german(
        page,
        [_variants(i.label) for i in sot.INDICATORS.values()]
        + [_variants(item.name) for item in sot.CRANIAL_ITEMS.values()]
        + [_variants(m.label) for m in sot.LEG_CHECK_METHODS.values()]
        + [_variants(line.label) for line in sot.OCCIPITAL_LINES.values()]
        + [_variants(sot.CRANIAL_EVIDENCE.statement)]
        + list(UMN_SIGNS.values()),
    )
    for english in ("Cranial-nerve screen", "Gait"):
        assert english not in page
    assert "Hirnnerven-Screening" in page and "Gang" in page


def test_the_analysis_panel_shows_the_blocking_landmarks_in_german(practitioner):
    response = practitioner.post(
        "/exam/analyze?prefix=exam",
        {"exam-ind-arm_fossa_test": "left", "exam-ind-inguinal_ligament_sensitivity": "left"},
    )
    page = _page(response)

    blocks = sot.default_protocol_table().category("II").blocks["left"]
    landmarks = {block.landmark for block in blocks}
    _assert_german(page, [_variants(landmark) for landmark in landmarks])
    assert "Vorschlag: Category II, linke Seite." in page
    assert "Arm Fossa Test: positiv links (ein Indikator für Category II)." in page
    assert "Suggested" not in page and "positive on the" not in page


def test_the_headline_of_an_empty_or_conflicting_exam_is_german(practitioner):
    empty = _page(practitioner.post("/exam/analyze?prefix=exam", {}))
    conflict = _page(
        practitioner.post(
            "/exam/analyze?prefix=exam",
            {"exam-ind-achilles_tension": "left", "exam-ind-arm_fossa_test": "left"},
        )
    )

    assert "Kein Vorschlag: Kein Category-Indikator ist als positiv erfasst." in empty
    assert "Konflikt: Die Befunde weisen auf mehr als eine Category hin" in conflict
    assert "(Category I und Category II)" in conflict


def test_a_screen_error_is_in_german_and_the_posted_values_stay_english(practitioner):
    response = practitioner.post(
        "/exam/new", {"exam-bp-systolic": "120", "exam-umn-clonus": "perhaps"}
    )
    content = response.content.decode()

    assert "Blutdruck: Geben Sie auch den diastolischen Wert ein (mmHg)." in content
    assert "Klonus: Wählen Sie „negativ“, „positiv“ oder „nicht getestet“." in content
    assert 'value="positive"' in content
    with translation.override("de"):
        assert str(UMN_SIGNS["hoffmann"]) == "Hoffmann-Zeichen"
