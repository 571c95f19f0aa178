"""Reading exports: encodings, blank rows, and the record of what was imported."""

import pytest

from sotclinic.imports import reading
from sotclinic.imports.models import ExternalRecord

from .conftest import upload

pytestmark = pytest.mark.django_db


def test_bytes_windows_1252_does_not_define_are_read_as_latin_1():
    assert reading.decode("Name,Note\nA,\x81é\n".encode("latin-1")) == "Name,Note\nA,\x81é\n"


def test_blank_rows_are_passed_over_and_lines_keep_their_numbers():
    table = reading.parse("a,b\n1,2\n,\n\n3,4\n")

    assert table.rows == [(2, ["1", "2"]), (5, ["3", "4"])]


def test_a_row_without_a_date_of_birth_names_it(client, desk):
    text = "Patient ID,First Name,Last Name,Birth Date\n1,Ann,Lee,\n"

    rows = upload(client, "patient", "generic", text).context["result"].rows

    assert rows[0].problems == ["Date of birth: Enter the date of birth."]


def test_an_external_record_reads_as_its_system_kind_and_id():
    assert str(ExternalRecord(source="jane", kind="patient", external_id="7")) == "jane patient 7"
