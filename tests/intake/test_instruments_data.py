"""The shipped questionnaire data: every file's shape, the complaint table, versions, licences."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sotclinic.intake import instruments
from sotclinic.intake.instruments import (
    DefinitionError,
    Registry,
    UnknownInstrument,
    get_instrument,
    instruments_for_complaint,
    parse_instrument,
)
from sotclinic.intake.instruments.definitions import read_data_files
from sotclinic.intake.instruments.registry import default_registry

SRC = Path(instruments.__file__).resolve().parents[3]
KNOWN = frozenset({"low_back", "neck", "headache", "sleep"})


def raw_definition(name="rmdq.v1.json"):
    """A deep copy of one shipped definition, to mutate in a test."""
    return copy.deepcopy(read_data_files()[name])


# --- every data file -------------------------------------------------------------------------


def test_every_data_file_is_valid_json_and_loads_into_the_registry():
    files = read_data_files()
    assert {"complaints.json", "not_shipped.json"} <= set(files)
    registry = Registry.from_data(files)
    assert len(registry.keys()) == len(files) - 2


@pytest.mark.parametrize("instrument", default_registry().current(), ids=lambda i: i.id)
def test_every_shipped_instrument_carries_mcid_source_licence_basis_and_references(instrument):
    assert instrument.mcid.source.strip()
    assert instrument.mcid.notes.strip()
    assert instrument.licence.free_to_embed is True
    for field in ("holder", "basis", "url", "verification"):
        assert getattr(instrument.licence, field).strip()
    assert instrument.licence.url.startswith("https://")
    assert instrument.references and all(ref.strip() for ref in instrument.references)
    assert instrument.scoring.source.strip() and instrument.missing_items.source.strip()
    assert instrument.score_min < instrument.score_max
    assert instrument.direction in ("higher_is_worse", "higher_is_better")


@pytest.mark.parametrize("instrument", default_registry().current(), ids=lambda i: i.id)
def test_every_item_has_wording_and_a_well_formed_answer(instrument):
    for item in instrument.items:
        assert item.text.strip()
        if item.answer.type in ("tick", "time"):
            assert item.answer.allowed_values() is None
        else:
            assert item.answer.allowed_values()


def test_every_not_shipped_entry_says_why_and_how_to_license():
    entries = instruments.not_shipped()
    assert {"odi", "ndi", "hit6", "psqi", "isi", "ess", "promis"} <= {e.id for e in entries}
    for entry in entries:
        assert entry.why_not_shipped.strip()
        assert entry.how_to_license.strip()
        assert entry.reference.strip()
        assert entry.sources_checked.strip()
        assert set(entry.complaints) <= KNOWN


def _not_shipped(instrument_id):
    return next(e for e in instruments.not_shipped() if e.id == instrument_id)


def test_start_back_note_says_no_licence_for_non_commercial_use_and_contact_keele_otherwise():
    entry = _not_shipped("startback")

    assert "no licence is required for non-commercial use" in entry.why_not_shipped.lower()
    assert "contact Keele" in entry.how_to_license
    assert "No license is required for non-commercial use" in entry.sources_checked
    assert "licence from every user" not in entry.why_not_shipped


@pytest.mark.parametrize("instrument_id", ["bq", "nbq"])
def test_bournemouth_note_says_aecc_encourages_use_and_to_ask_before_redistributing(instrument_id):
    entry = _not_shipped(instrument_id)

    assert "encourages clinicians to use" in entry.why_not_shipped
    assert "ask AECC" in entry.how_to_license
    assert "Clinicians are encouraged to use these outcome measures" in entry.sources_checked


@pytest.mark.parametrize(
    ("instrument_id", "terms", "quoted"),
    [
        ("mymop", "licence from Meaningful Measures", "you now need to obtain a licence"),
        ("eq5d", "registering with EuroQol", "charges a license fee"),
    ],
)
def test_mymop_and_eq5d_are_listed_as_not_shipped_with_their_terms(instrument_id, terms, quoted):
    entry = _not_shipped(instrument_id)

    assert terms in entry.why_not_shipped
    assert quoted in entry.sources_checked
    assert set(entry.complaints) == {"low_back", "neck", "headache", "sleep"}


# --- complaints ------------------------------------------------------------------------------


def test_the_intake_knows_the_four_complaints():
    assert set(instruments.complaints()) == KNOWN


def test_low_back_pain_gets_the_rmdq_then_the_generic_scales():
    offer = instruments_for_complaint("low_back")
    assert [i.id for i in offer.instruments] == ["rmdq", "nprs", "grc15"]
    assert offer.has_specific_instrument
    assert offer.gap is None


@pytest.mark.parametrize("complaint", ["neck", "headache"])
def test_a_complaint_without_a_free_instrument_says_so_and_lists_the_licensable_ones(complaint):
    offer = instruments_for_complaint(complaint)
    assert not offer.has_specific_instrument
    assert offer.gap and "open-source" in offer.gap
    assert offer.not_shipped, "the gap must come with the instruments that exist"
    assert all(complaint in entry.complaints for entry in offer.not_shipped)


def test_sleep_is_offered_the_sleep_diary_and_the_global_rating_not_the_pain_scale():
    offer = instruments_for_complaint("sleep")
    assert [i.id for i in offer.instruments] == ["sleep_diary", "grc15"]
    # The validated sleep questionnaires still appear, with how a clinic may license them.
    assert {"psqi", "isi", "ess"} <= {entry.id for entry in offer.not_shipped}


def test_an_unknown_complaint_is_refused_by_name():
    with pytest.raises(UnknownInstrument, match="'knee'"):
        instruments_for_complaint("knee")


def test_a_complaint_without_a_specific_instrument_must_explain_the_gap():
    files = read_data_files()
    files["complaints.json"]["complaints"]["neck"]["gap"] = None
    with pytest.raises(DefinitionError, match="neck.gap"):
        Registry.from_data(files)


# --- versions --------------------------------------------------------------------------------


def test_get_instrument_returns_the_current_version_by_default():
    assert get_instrument("rmdq").key == ("rmdq", 1)


def test_old_versions_stay_loadable_after_a_new_version_ships():
    v2_raw = raw_definition()
    v2_raw["version"] = 2
    v2 = parse_instrument(v2_raw, "rmdq.v2.json", KNOWN)
    registry = default_registry().with_instrument(v2)

    assert registry.get("rmdq").version == 2
    assert registry.get("rmdq", 1).version == 1
    assert registry.versions("rmdq") == (1, 2)


def test_a_missing_version_names_the_versions_that_exist():
    with pytest.raises(UnknownInstrument, match="no version 9; registered: 1"):
        get_instrument("rmdq", 9)


def test_asking_for_a_not_shipped_instrument_explains_why():
    with pytest.raises(UnknownInstrument, match="Neck Disability Index is not shipped"):
        get_instrument("ndi")


def test_a_file_name_must_match_the_id_and_version_inside():
    files = read_data_files()
    files["rmdq.v2.json"] = files.pop("rmdq.v1.json")
    with pytest.raises(DefinitionError, match="file name does not match"):
        Registry.from_data(files)


def test_the_same_id_and_version_cannot_be_defined_twice():
    rmdq = get_instrument("rmdq")
    with pytest.raises(DefinitionError, match="defined twice"):
        default_registry().with_instrument(rmdq)


# --- a broken definition stops loading, naming the field ---------------------------------------


def _mutations():
    def drop_mcid_source(d):
        d["mcid"]["source"] = ""

    def not_free(d):
        d["licence"]["free_to_embed"] = False

    def no_licence_basis(d):
        del d["licence"]["basis"]

    def no_references(d):
        d["references"] = []

    def wrong_range(d):
        d["score_range"]["max"] = 25

    def unknown_function(d):
        d["scoring"]["function"] = "average"

    def unknown_complaint(d):
        d["complaints"] = ["knee"]

    def duplicate_item(d):
        d["items"][1]["id"] = d["items"][0]["id"]

    def mcid_without_values(d):
        d["mcid"]["points"] = None
        d["mcid"]["percent"] = None

    def wrong_policy(d):
        d["missing_items"]["policy"] = "mean_impute"

    def bad_direction(d):
        d["direction"] = "up"

    return {
        "mcid.source": drop_mcid_source,
        "free_to_embed": not_free,
        "licence.basis": no_licence_basis,
        "references": no_references,
        "score_range": wrong_range,
        "scoring.function": unknown_function,
        "complaints": unknown_complaint,
        "item ids must be unique": duplicate_item,
        "needs points and/or percent": mcid_without_values,
        "missing_items.policy": wrong_policy,
        "direction": bad_direction,
    }


@pytest.mark.parametrize(("message", "mutate"), _mutations().items(), ids=list(_mutations()))
def test_a_malformed_definition_is_refused_with_the_field_named(message, mutate):
    raw = raw_definition()
    mutate(raw)
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_instrument(raw, "rmdq.v1.json", KNOWN)


def test_a_not_applicable_mcid_must_not_carry_values():
    raw = raw_definition("grc15.v1.json")
    raw["mcid"]["points"] = 3
    with pytest.raises(DefinitionError, match="not applicable"):
        parse_instrument(raw, "grc15.v1.json", KNOWN)


# --- purity ----------------------------------------------------------------------------------


def test_the_engine_imports_without_django():
    code = (
        "import sys; import sotclinic.intake.instruments as i, sotclinic.intake.redflags as r;"
        "i.get_instrument('rmdq'); r.default_table();"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_data_files_are_plain_utf8_json_with_a_trailing_newline():
    folder = Path(instruments.__file__).parent / "data"
    for path in folder.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        assert text.endswith("\n"), path.name
