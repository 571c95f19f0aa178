"""Texts held in data files (red flags, precautions, complaints): every one has its German,
the files say whose German it is, and a page shows the variant of its language."""

import copy
import json
import pickle
from pathlib import Path

import pytest
from django.utils import translation

from sotclinic import sot
from sotclinic.data_text import DataText, DataTextError, declared_languages, read_text, shown
from sotclinic.exam.screening import UMN_RED_FLAG, UMN_SIGNS
from sotclinic.intake.instruments import complaints, instruments_for_complaint
from sotclinic.intake.instruments.model import DefinitionError
from sotclinic.intake.instruments.registry import parse_complaints
from sotclinic.intake.precautions import (
    PrecautionTableError,
    default_precautions,
    parse_precautions,
)
from sotclinic.intake.redflags.table import default_table
from sotclinic.sot._data import DataFileError, parse_data_file

SRC = Path(__file__).resolve().parents[2] / "src" / "sotclinic"
INTAKE = SRC / "intake"
SOT_FILES = [
    SRC / "sot" / "data" / f"{name}.json"
    for name in ("indicators", "cranial", "leg_checks", "protocols", "cmrt")
]
DATA_FILES = [
    INTAKE / "redflags" / "data" / "questions.json",
    INTAKE / "redflags" / "data" / "rules.json",
    INTAKE / "precautions" / "data" / "precautions.json",
    INTAKE / "instruments" / "data" / "complaints.json",
    SRC / "exam" / "data" / "pre_neck_screen.json",
    *SOT_FILES,
]


def _sot(english: str):
    """An SOT table's text with its variants, or the bare English when it has none."""
    variants = sot.text_variants().get(english)
    return DataText(variants) if variants else english


def _sot_texts():
    for code, indicator in sot.INDICATORS.items():
        yield f"indicator {code} label", _sot(indicator.label)
        yield f"indicator {code} examination", _sot(indicator.examination)
    for code, item in sot.CRANIAL_ITEMS.items():
        yield f"cranial {code} name", _sot(item.name)
    yield "cranial evidence statement", _sot(sot.CRANIAL_EVIDENCE.statement)
    for code, method in sot.LEG_CHECK_METHODS.items():
        yield f"leg check {code} label", _sot(method.label)
    for number, line in sot.OCCIPITAL_LINES.items():
        yield f"occipital line {number} label", _sot(line.label)
    table = sot.default_protocol_table()
    for category in ("I", "II", "III"):
        protocol = table.category(category)
        yield f"category {category} notes", _sot(protocol.notes)
        for side, blocks in protocol.blocks.items():
            for number, block in enumerate(blocks, 1):
                yield f"category {category} {side} block {number}", _sot(block.landmark)
    for code, label in UMN_SIGNS.items():
        yield f"pre-neck screen {code} label", label
    yield "pre-neck screen red flag title", UMN_RED_FLAG["title"]
    yield "pre-neck screen red flag explanation", UMN_RED_FLAG["explanation"]


def _data_texts():
    """(where, text) for every text of the shipped tables that a person reads."""
    table = default_table()
    yield "caveat", table.caveat
    for severity in table.severities.values():
        yield f"severity {severity.id} label", severity.label
        yield f"severity {severity.id} action", severity.action
        if severity.patient_advice:
            yield f"severity {severity.id} patient advice", severity.patient_advice
    for question in table.questions:
        yield f"question {question.id} text", question.text
        yield f"question {question.id} label", question.label
    for rule in table.rules:
        yield f"rule {rule.id} title", rule.title
        yield f"rule {rule.id} explanation", rule.explanation
        if rule.patient_advice:
            yield f"rule {rule.id} patient advice", rule.patient_advice
    for code, precaution in default_precautions().items():
        yield f"precaution {code} label", precaution.label
        yield f"precaution {code} question", precaution.question
        yield f"precaution {code} positioning", precaution.positioning
    for complaint in complaints():
        entry = instruments_for_complaint(complaint)
        yield f"complaint {complaint} title", entry.title
        if entry.gap:
            yield f"complaint {complaint} gap", entry.gap
    yield from _sot_texts()


def test_every_data_text_has_its_german():
    missing = [
        where
        for where, text in _data_texts()
        if not isinstance(text, DataText) or "de" not in text.variants
    ]

    assert missing == []


def test_a_german_text_is_not_the_english_one():
    same = [where for where, text in _data_texts() if text.variants["de"] == text.source]

    # "Diabetes" in both languages; "Antidote" is an SOT procedure's proper name.
    assert same == ["question spine_diabetes label", "cranial antidote name"]


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_each_data_file_says_its_german_is_sotclinics_own_translation(path):
    note = json.loads(path.read_text(encoding="utf-8"))["translations"]["de"]

    assert "sotclinic's own translation" in note
    assert "not taken from a published German source" in note


def test_a_data_text_reads_in_the_active_language_and_stores_its_english():
    question = default_table().question("lb_saddle_numbness")

    with translation.override("de"):
        assert str(question.label) == "Reithosenanästhesie (Taubheit im Sattelbereich)"
    with translation.override("de-at"):
        assert str(question.label).startswith("Reithosenanästhesie")
    with translation.override("en-us"):
        assert str(question.label) == "Saddle numbness"
    with translation.override("ja"):
        assert str(question.label) == "Saddle numbness"  # no Japanese: the English source


def test_stored_english_wording_is_shown_in_the_page_language_while_unchanged():
    rule = next(r for r in default_table().rules if r.id == "lb_cauda_equina")
    stored = rule.title.source

    with translation.override("de"):
        assert shown(stored) == "Mögliches Cauda-equina-Syndrom"
        assert shown("Possible cauda equina syndrome (wording of an older table)") == (
            "Possible cauda equina syndrome (wording of an older table)"
        )
        assert shown(rule.title) == "Mögliches Cauda-equina-Syndrom"
    with translation.override("en-gb"):
        assert shown(stored) == stored


def test_a_translation_without_a_note_on_its_source_is_refused():
    with pytest.raises(DataTextError, match="declares no"):
        read_text({"en": "Neck pain", "de": "Nackenschmerzen"}, "complaints.neck.title", ())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"de": "Nackenschmerzen"}, '"en"'),
        ({"en": "Neck pain", "de": " "}, "non-empty"),
        ("  ", "non-empty"),
        (7, '"en"'),
    ],
)
def test_a_malformed_data_text_is_refused(value, message):
    with pytest.raises(DataTextError, match=message):
        read_text(value, "where", ("de",))


@pytest.mark.parametrize(
    ("notes", "message"),
    [({"de": ""}, "whose translation"), ({"en": "x"}, "not a language"), (["de"], "must map")],
)
def test_a_malformed_translation_note_is_refused(notes, message):
    with pytest.raises(DataTextError, match=message):
        declared_languages({"translations": notes}, "file.json")


def test_the_tables_refuse_an_undeclared_translation_with_their_own_error():
    precautions = json.loads(DATA_FILES[2].read_text(encoding="utf-8"))
    del precautions["translations"]
    complaints_file = json.loads(DATA_FILES[3].read_text(encoding="utf-8"))
    complaints_file["translations"] = {"de": ""}

    with pytest.raises(PrecautionTableError, match="declares no"):
        parse_precautions(precautions)
    with pytest.raises(DefinitionError, match="whose translation"):
        parse_complaints(complaints_file)


def test_a_data_text_behaves_as_its_words():
    text = read_text({"en": "Neck pain", "de": "Nackenschmerzen"}, "t", ("de",))

    with translation.override("de"):
        assert text == "Nackenschmerzen"
        assert text.lower() == "nackenschmerzen"
        assert "Nacken" in text
        assert len(text) == 15
        assert text[:6] == "Nacken"
        assert text + "!" == "Nackenschmerzen!"
        assert "» " + text == "» Nackenschmerzen"
        assert "%s" % text == "Nackenschmerzen"  # noqa: UP031  # as gettext strings use it
        assert f"{text}" == "Nackenschmerzen"
        assert text < "Z"
    assert copy.deepcopy(text) is text and copy.copy(text) is text
    assert pickle.loads(pickle.dumps(text)) == text
    assert hash(text) == hash("Neck pain")
    assert repr(text) == "DataText('Neck pain')"
    with pytest.raises(AttributeError):
        text.no_such_method  # noqa: B018


def test_a_precaution_is_described_in_the_page_language():
    pregnancy = default_precautions()["pregnancy"]

    with translation.override("de"):
        assert pregnancy.describe(24) == "schwanger in der 24. Woche"
        assert pregnancy.describe(None) == "Schwanger (Woche nicht angegeben)"
        assert pregnancy.describe(1) == "schwanger in der 1. Woche"
        assert str(default_precautions()["postpartum"].describe()) == (
            "In den letzten 6 Wochen entbunden"
        )
    with translation.override("en-gb"):
        assert (pregnancy.describe(1), pregnancy.describe(24)) == (
            "1 week pregnant",
            "24 weeks pregnant",
        )


def test_a_plain_string_is_english_only_and_placeholders_fill_in_each_language():
    weeks = read_text({"en": "%(n)s weeks", "de": "%(n)s Wochen"}, "t", ("de",))

    assert read_text("Neck pain", "t") == "Neck pain"
    with translation.override("de"):
        assert weeks % {"n": 3} == "3 Wochen"


@pytest.mark.parametrize("path", SOT_FILES, ids=lambda p: p.name)
def test_the_sot_engine_reads_its_tables_in_english_only(path):
    data = json.loads(path.read_text(encoding="utf-8"))

    english = parse_data_file(copy.deepcopy(data), path.name)

    assert "translations" not in english
    assert "{'en'" not in repr(english) and '"de"' not in json.dumps(english)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": {"en": "Crest sign", "de": "Crest Sign"}}, "declares no"),
        ({"translations": {"de": "x"}, "label": {"en": "Crest sign", "de": " "}}, "non-empty"),
        ({"translations": {"de": ""}}, "whose translation"),
        ({"translations": {"en": "x"}}, "not a language"),
        ({"translations": ["de"]}, "must map"),
    ],
)
def test_an_sot_table_refuses_a_malformed_or_undeclared_translation(data, message):
    with pytest.raises(DataFileError, match=message):
        parse_data_file(data, "table.json")
