"""A German clinic's exam page and analysis panel show the SOT tables' texts and the
pre-neck screen in German; the values posted and stored stay the English identifiers."""

import html
import re

import pytest
from django.utils import translation

from sotclinic import sot
from sotclinic.accounts.models import Role
from sotclinic.data_text import DataText
from sotclinic.exam.screening import UMN_RED_FLAG, UMN_SIGNS
from sotclinic.exam.services import raise_exam_red_flags, save_cmrt_area_levels
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import make_patient, make_user

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


def _page_without_sources(response) -> str:
    """The words on the page but the sources, which stay in their own language."""
    assert response.status_code == 200
    content = re.sub(
        r"<details>\s*<summary>[^<]*</summary>.*?</details>",
        " ",
        response.content.decode(),
        flags=re.S,
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


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
    assert "Vorschlag: Kategorie II, linke Seite." in page
    assert "Arm Fossa Test: positiv links (ein Indikator für Kategorie II)." in page
    assert "Suggested" not in page and "positive on the" not in page


def test_the_headline_of_an_empty_or_conflicting_exam_is_german(practitioner):
    empty = _page(practitioner.post("/exam/analyze?prefix=exam", {}))
    conflict = _page(
        practitioner.post(
            "/exam/analyze?prefix=exam",
            {"exam-ind-achilles_tension": "left", "exam-ind-arm_fossa_test": "left"},
        )
    )

    assert "Kein Vorschlag: Kein Kategorie-Indikator ist als positiv erfasst." in empty
    assert "Konflikt: Die Befunde weisen auf mehr als eine Kategorie hin" in conflict
    assert "(Kategorie I und Kategorie II)" in conflict


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


def _no_english_words(page: str, words) -> None:
    for word in words:
        assert not re.search(rf"\b{re.escape(word)}\b", page), word


def test_the_blocking_position_and_the_side_words_are_german(practitioner):
    page = _page_without_sources(practitioner.get("/exam/new"))
    panel = _page_without_sources(
        practitioner.post(
            "/exam/analyze?prefix=exam",
            {
                "exam-ind-sciatic_pain_points": "left",
                "exam-legcheck-prone_knees_straight-side": "left",
            },
        )
    )

    assert "geblockt in Bauchlage" in page and "geblockt in Rückenlage" in page
    assert "Vorgeschlagenes Blocken: Patient in Bauchlage" in panel
    assert "Der Patient liegt in Bauchlage auf der Liege" in panel
    assert "BAUCHLAGE: Ansicht von hinten" in panel
    _no_english_words(page + panel, ["prone", "supine"])
    # The indicator choices and the blocks' sides.
    assert "Links" in page and "Beidseitig" in page
    _no_english_words(page, ["Left", "Right", "Both", "high", "medium", "low"])
    assert "Status  bestimmt" in panel and "Seite  links" in panel
    assert "Patient links" in panel and "Patient rechts" in panel
    _no_english_words(panel, ["left", "right"])


def test_a_recheck_row_names_its_side_in_german(practitioner):
    response = practitioner.post(
        "/exam/new", {"exam-ind-arm_fossa_test": "bilateral", "exam-bp-systolic": "120"}
    )
    assert response.status_code == 400  # the diastolic value is missing
    page = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))

    assert "(beidseitig)" in page and "nicht nachgeprüft" in page
    assert "weiterhin vorhanden" in page
    _no_english_words(page, ["both sides", "not re-checked", "still present"])


def test_the_leg_checks_in_the_analysis_are_german(practitioner):
    panel = _page(
        practitioner.post(
            "/exam/analyze?prefix=exam",
            {
                "exam-ind-sciatic_pain_points": "left",
                "exam-legcheck-prone_knees_straight-side": "left",
                "exam-legcheck-prone_knees_straight-mm": "6",
                "exam-legcheck-prone_knees_straight-confidence": "high",
                "exam-legcheck-supine-side": "right",
                "exam-legcheck-supine-confidence": "low",
                "exam-asl-status": "measured",
                "exam-asl-side": "left",
                "exam-asl-mm": "9",
            },
        )
    )

    assert "Bauchlage, Knie gestreckt: Bein links um 6 mm kürzer (Sicherheit: hoch)" in panel
    assert "Rückenlage: Bein rechts kürzer (Sicherheit: gering)" in panel
    assert "die Methode platziert die Blöcke nach der Seite des kürzeren Beins" in panel
    assert "Die Beinlängenprüfungen in Bauchlage und in Rückenlage widersprechen sich" in panel
    assert "Anatomisch kurzes Bein (gemessen), Seite: links." in panel
    for note in (sot.DISAGREEMENT_NOTE.note, sot.ANATOMICAL_SHORT_LEG_NOTE.note):
        # The disagreement note opens with the sentence the reason already says.
        assert _variants(note).in_language("de").split(". ", 1)[1] in panel
        assert note.split(". ", 1)[1] not in panel
    for english in ("leg short", "confidence", "disagree", "Anatomical short leg", "place the"):
        assert english not in panel, english


def test_cmrt_and_rc_findings_are_german(practitioner):
    panel = _page(
        practitioner.post(
            "/exam/analyze?prefix=exam",
            {
                "exam-cmrt-0-line": "2",
                "exam-cmrt-0-area": "3",
                "exam-cmrt-0-side": "left",
                "exam-cmrt-0-level": "T5",
                "exam-cmrt-0-reflex": "stomach",
                "exam-cmrt-0-trapezius": "confirmed",
                "exam-cmrt-1-line": "1",
                "exam-cmrt-1-area": "1",
                "exam-cmrt-1-side": "right",
                "exam-rc-0-pair": "C1-L5",
                "exam-rc-0-side": "bilateral",
                "exam-rc-0-response": "tender",
            },
        )
    )

    assert "Linie 2: Reflexbogen, Bereich 3, links: T5 → Magen; " in panel
    assert "Trapeziusreflex auf Höhe T5 bestätigt" in panel
    assert "Segment nicht angegeben → Reflexzone nicht angegeben; Trapezius nicht geprüft" in panel
    assert "R+C-Faktor C1–L5 (beidseitig): tender" in panel
    for english in ("stomach", "trapezius reflex", "not given", "not checked", "R+C factor"):
        assert english not in panel, english


def test_the_settings_page_shows_the_reflex_areas_in_german(practitioner):
    save_cmrt_area_levels({1: "T5", 2: "T8", 3: "T9"}, make_user(Role.PRACTITIONER), None)
    page = _page(practitioner.get("/exam/settings"))

    assert "Magen" in page and "Leber" in page and "Nebennieren" in page
    _no_english_words(page, ["stomach", "liver", "adrenals"])


def test_a_stored_pre_neck_red_flag_is_shown_in_german_and_stays_english(practitioner):
    patient = make_patient()
    state = {"screening": {"umn": {"hoffmann": "positive", "clonus": "positive"}}}
    finding = raise_exam_red_flags(patient, state)
    page = _page(practitioner.get(f"/staff/patients/{patient.pk}/red-flags/"))

    assert finding.explanation.startswith("Positive: Hoffmann sign, Clonus. A positive upper")
    explanation = UMN_RED_FLAG["explanation"].in_language("de")
    assert f"Positiv: Hoffmann-Zeichen, Klonus. {explanation}" in page
    assert "Positive:" not in page and "Hoffmann sign" not in page
