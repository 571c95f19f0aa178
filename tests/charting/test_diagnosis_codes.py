"""Diagnosis codes: each system's format, stored entries with their system, titles, and the
clinic's own list (sotclinic.charting.diagnosis_codes)."""

import pytest
from django.core.exceptions import ValidationError

from sotclinic.charting.diagnosis_codes import (
    describe,
    is_well_formed,
    normalised,
    read_stored,
    resolve,
    search_diagnosis_codes,
    stored_codes,
)
from sotclinic.charting.models import ClinicDiagnosisCode

CM = "http://hl7.org/fhir/sid/icd-10-cm"
WHO = "http://hl7.org/fhir/sid/icd-10"


@pytest.mark.parametrize(
    ("system", "code", "ok"),
    [
        ("icd10cm", "M54.50", True),
        ("icd10cm", "S13.4XXA", True),
        ("icd10cm", "M54.2", True),
        ("icd10cm", "U07.1", True),
        ("icd10cm", "M54", True),
        ("icd10cm", "M54.50123", False),
        ("icd10cm", "54.50", False),
        ("icd10cm", "M5", False),
        ("icd10", "M54.5", True),
        ("icd10", "M54.16", True),  # a national modification's fifth character (ICD-10-GM)
        ("icd10", "S13.4XXA", False),
        ("icd10", "M5A.0", False),
        ("icd10", "lumbago", False),
    ],
)
def test_formats(system, code, ok):
    assert is_well_formed(system, code) is ok


def test_typed_codes_are_normalised():
    assert normalised(" m54.50 ") == "M54.50"
    assert normalised("m 54.5") == "M54.5"


def test_stored_entries_and_old_bare_codes():
    assert read_stored("M54.50") == ("icd10cm", "M54.50")  # stored before systems were kept
    assert read_stored({"system": WHO, "code": "M54.5"}) == ("icd10", "M54.5")
    assert stored_codes(["M54.2", {"system": WHO, "code": "M54.5"}]) == ["M54.2", "M54.5"]
    assert stored_codes(None) == []


@pytest.mark.django_db
def test_describe_gives_titles_from_the_list_of_each_codes_system():
    ClinicDiagnosisCode.objects.create(system="icd10", code="M54.5", title="Kreuzschmerz")

    described = describe(
        ["M54.50", {"system": WHO, "code": "M54.5"}, {"system": WHO, "code": "Z00"}]
    )

    assert [(d.code, d.system_name, d.title) for d in described] == [
        ("M54.50", "ICD-10-CM", "Low back pain, unspecified"),
        ("M54.5", "ICD-10", "Kreuzschmerz"),
        ("Z00", "ICD-10", ""),
    ]
    assert described[0].system_uri == CM and described[1].system_uri == WHO


def test_resolve_keeps_held_codes_systems_and_drops_duplicates():
    entries, malformed = resolve(["M54.50", "m54.50", "", "G44.2", "S13.4XXA"], ["M54.50"], "icd10")

    assert entries == [{"system": CM, "code": "M54.50"}, {"system": WHO, "code": "G44.2"}]
    assert malformed == ["S13.4XXA"]


@pytest.mark.django_db
def test_search_of_an_empty_query_offers_nothing():
    assert search_diagnosis_codes("  ", "icd10cm") == []


@pytest.mark.django_db
def test_a_clinic_code_must_have_its_systems_format():
    bad = ClinicDiagnosisCode(system="icd10", code="s13.4xxa", title="Zerrung HWS")
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert refused.value.message_dict["code"] == ["Enter a code of ICD-10 such as M54.5."]

    good = ClinicDiagnosisCode(system="icd10", code=" m54.16", title="Radikulopathie")
    good.full_clean()
    good.save()
    assert str(good) == "M54.16 Radikulopathie"
