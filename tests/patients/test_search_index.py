"""The patient search reads an index (pg_trgm on PostgreSQL, FTS5 trigrams on SQLite) over
search columns the model keeps: names without accents, phone digits, e-mail in lower case."""

import datetime as dt

import pytest
from django.db import connection

from sotclinic.patients import search_index
from sotclinic.patients.models import _FIRST_WITH_EMAIL, Patient, email_key
from sotclinic.patients.search import digits, fold
from sotclinic.patients.selectors import search_patients
from tests.factories import make_patient
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db


def _found(raw: str) -> list[str]:
    return [p.full_name for p in search_patients(raw)]


def test_fold_drops_accents_and_case_and_digits_keep_only_digits():
    assert fold("Jürgen MÜLLER-Lüdenscheidt") == "jurgen muller-ludenscheidt"
    assert fold("Chloé Ærø") == "chloe aero"
    assert digits("+44 (0)7700 900-123") == "4407700900123"


def test_names_are_found_with_or_without_their_accents():
    make_patient(first_name="Chloé", last_name="Müller")
    make_patient(first_name="Chloe", last_name="Muller")
    make_patient(first_name="Anna", last_name="Smith")

    assert sorted(_found("MULLER chloe")) == ["Chloe Muller", "Chloé Müller"]
    assert sorted(_found("müll")) == ["Chloe Muller", "Chloé Müller"]


def test_search_columns_follow_every_save_and_bulk_create():
    patient = make_patient(first_name="Ann", last_name="Old", phone="0161 496 0000")
    patient.last_name = "Öztürk"
    patient.phone = "+44 161 496 0999"
    patient.save(update_fields=["last_name", "phone"])
    Patient.objects.bulk_create(
        [Patient(first_name="Bulk", last_name="Row", date_of_birth=dt.date(1990, 1, 1))]
    )

    assert _found("ozturk") == ["Ann Öztürk"]
    assert _found("old") == []
    assert _found("4960999") == ["Ann Öztürk"]
    assert _found("bulk row") == ["Bulk Row"]


def test_search_wildcards_are_plain_characters():
    make_patient(first_name="Ann", last_name="Smith")

    assert _found("sm*h") == []
    assert _found("s?ith") == []
    assert _found("%mith") == []
    assert _found("s*") == []  # two characters: compared without the index
    assert _found("*") == []


def test_query_syntax_typed_in_the_box_is_plain_text():
    make_patient(first_name="Ann", last_name='Smith "Nan"')
    make_patient(first_name="Bob", last_name="Jones")

    assert _found('th "na') == ['Ann Smith "Nan"']
    assert _found("smith OR jones") == []
    assert _found("search_name:jones") == []
    assert _found("jon*") == []


def test_one_or_two_letters_are_found_anywhere_in_a_name():
    make_patient(first_name="Li", last_name="Wu")
    make_patient(first_name="Ann", last_name="Oliver")
    make_patient(first_name="Bob", last_name="Jones")

    assert sorted(_found("li")) == ["Ann Oliver", "Li Wu"]
    assert _found("wu") == ["Li Wu"]
    assert sorted(_found("o")) == ["Ann Oliver", "Bob Jones"]


def _plan(queryset) -> str:
    return query_plan(*queryset.query.sql_with_params())


@pytest.mark.parametrize(
    ("typed", "column"),
    [
        ("smith", "search_name"),
        ("700 900", "search_phone"),
        ("smith@exam", "search_email"),
        # One word is also looked for in e-mail addresses' local parts: both indexes serve.
        ("smith", "search_email"),
        ("ann.smith", "search_email"),
    ],
)
def test_the_search_reads_the_index(typed, column):
    make_patient(first_name="Ann", last_name="Smith", email="ann.smith@example.com")

    plan = _plan(search_patients(typed))

    if connection.vendor == "postgresql":
        assert search_index.PG_INDEXES[column] in plan
    else:
        # FTS5 took the MATCH constraint ("M"): it answers from trigrams, not from every row
        # (GLOB, "G", reads the trigrams and then each candidate's text again).
        assert f"SCAN {search_index.SQLITE_TABLE} VIRTUAL TABLE INDEX 0:M" in plan


def test_the_index_is_rebuilt_when_a_table_rebuild_dropped_its_triggers():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps its indexes when a table is altered")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.SQLITE_TABLE}_insert")
    make_patient(first_name="Late", last_name="Comer")
    assert _found("comer") == []  # the row missed the index while the trigger was gone

    search_index.install(connection)  # what every migrate does afterwards

    assert _found("comer") == ["Late Comer"]


def test_matching_a_patient_by_email_and_birth_date_reads_the_email_index():
    make_patient(email="Ann.Smith@Example.com", date_of_birth=dt.date(1980, 1, 1))
    query = Patient.objects.with_email(" ann.smith@EXAMPLE.com ", dt.date(1980, 1, 1))

    assert query.count() == 1
    assert "patient_email_dob" in _plan(query)


def test_the_first_patient_with_an_email_is_found_through_the_email_index_too():
    make_patient(email="Ann.Smith@Example.com", date_of_birth=dt.date(1980, 1, 1))
    first = make_patient(email="ann.smith@example.com", date_of_birth=dt.date(1980, 1, 1))
    make_patient(email="ann.smith@example.com", date_of_birth=dt.date(1981, 1, 1))
    typed = (" ann.smith@EXAMPLE.com ", dt.date(1980, 1, 1))

    found = Patient.objects.first_with_email(*typed)

    assert found == Patient.objects.with_email(*typed).order_by("pk").first() != first
    assert found.date_of_birth == dt.date(1980, 1, 1)
    assert Patient.objects.first_with_email("nobody@example.com", dt.date(1980, 1, 1)) is None
    compiled = _FIRST_WITH_EMAIL.sql_with_params(email_key(typed[0]), typed[1])
    assert "patient_email_dob" in query_plan(*compiled)


def test_the_search_index_can_be_removed_and_installed_again():
    # Before any row: PostgreSQL refuses an index on a table with pending constraint checks.
    search_index.uninstall(connection)
    search_index.install(connection)
    make_patient(first_name="Ann", last_name="Smith")

    assert _found("smith") == ["Ann Smith"]
