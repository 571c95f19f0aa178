"""Who may import, and what the pages answer to files that are not an export."""

import codecs

import pytest

from sotclinic.accounts.models import Role
from sotclinic.imports import reading
from sotclinic.imports.models import ExternalRecord
from sotclinic.patients.models import Patient
from tests.factories import make_user

from .conftest import csv_file, form_data, import_file, review, upload

pytestmark = pytest.mark.django_db

TEXT = "Patient ID,First Name,Last Name,Birth Date\n1,Zoë,Müller,1975-01-02\n"


def test_someone_signed_out_is_sent_to_log_in(client):
    response = client.get("/staff/import/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.PATIENT, Role.PRACTITIONER])
def test_patients_and_practitioners_may_not_import(client, role):
    client.force_login(make_user(role))

    assert client.get("/staff/import/").status_code == 403
    assert client.post("/staff/import/1/", {"check": "1"}).status_code == 403
    assert client.get("/staff/import/1/").status_code == 403


def test_front_desk_sees_the_page_and_the_menu_entry(client, desk):
    response = client.get("/staff/import/")

    assert response.status_code == 200
    assert b'href="/staff/import/"' in response.content


def test_a_practitioner_who_is_a_back_office_administrator_may_import(client):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))

    response = import_file(client, "patient", "generic", TEXT)

    assert b"1 created" in response.content


def test_a_practitioner_does_not_see_the_menu_entry(client):
    client.force_login(make_user(Role.PRACTITIONER))

    assert b'href="/staff/import/"' not in client.get("/staff/").content


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("latin-1"),
        TEXT.encode("utf-16"),
        TEXT.replace(",", ";").encode("cp1252"),
        TEXT.replace(",", "\t").replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8 with BOM", "latin-1", "utf-16", "semicolons in windows-1252", "tabs and CRLF"],
)
def test_common_encodings_and_delimiters_are_read(client, desk, raw):
    import_file(client, "patient", "generic", raw)

    assert Patient.objects.get().full_name == "Zoë Müller"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04 spreadsheet", b"This is not a CSV file"),
        (b"%PDF-1.7", b"This is not a CSV file"),
        (b"just one column\nvalue\n", b"This is not a CSV file"),
        (b"a,b\x00,c\n", b"This is not a CSV file"),
        (b"\xff\xfe\x00\xd8", b"This is not a CSV file"),
        (b'a,b\n"unclosed,' + b"x" * 200_000 + b"\n", b"This is not a CSV file"),
        (b"  \n", b"The file is empty."),
    ],
    ids=["xlsx", "pdf", "one column", "nul bytes", "broken utf-16", "huge field", "empty"],
)
def test_a_file_that_is_not_an_export_is_refused_with_a_reason(client, desk, raw, message):
    response = upload(client, "patient", "generic", raw)

    assert response.status_code == 400
    assert message in response.content


def test_a_file_over_the_size_limit_is_refused(client, desk, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 100)

    response = upload(client, "patient", "generic", TEXT * 10)

    assert response.status_code == 400
    assert b"larger than" in response.content


def test_a_file_over_the_row_limit_is_refused(client, desk, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    text = TEXT + "2,A,B,1975-01-02\n3,C,D,1975-01-02\n"

    response = upload(client, "patient", "generic", text)

    assert response.status_code == 400
    assert b"more than 2 rows" in response.content


def test_choosing_no_file_is_refused(client, desk):
    response = client.post("/staff/import/", {"kind": "patient", "source": "generic"})

    assert response.status_code == 400
    assert b"Choose the CSV file to import." in response.content


def test_another_users_upload_is_not_found(client, desk):
    mine = upload(client, "patient", "generic", TEXT)
    address = f"/staff/import/{mine.context['upload'].pk}/"
    client.force_login(make_user(Role.FRONT_DESK, username="other-desk"))

    assert client.get(address).status_code == 404
    assert client.post(address, form_data(mine) | {"import": "1"}).status_code == 404
    assert client.get("/staff/import/999999/").status_code == 404
    assert Patient.objects.count() == 0


def test_a_mapping_without_a_required_field_is_refused_with_the_fields_named(client, desk):
    check = upload(client, "patient", "generic", TEXT)

    response = review(client, check, column_3="")

    assert response.status_code == 400
    assert b"Choose a column for: Date of birth." in response.content


def test_a_first_check_with_columns_it_cannot_place_asks_for_the_mapping(client, desk):
    response = upload(client, "appointment", "generic", "Foo,Bar\n1,2\n")

    assert response.status_code == 200
    assert response.context["result"] is None
    assert b"Choose a column for:" in response.content
    assert b"Keep appointments that fall outside opening hours" in response.content


def test_an_unknown_kind_in_the_review_form_is_refused(client, desk):
    checked = upload(client, "patient", "generic", TEXT)
    data = form_data(checked) | {"kind": "invoices"}

    address = f"/staff/import/{checked.context['upload'].pk}/"
    assert client.post(address, data).status_code == 400


PATIENT_ROW = "Patient ID,First Name,Last Name,Birth Date\n7,Ada,Lovelace,1970-01-31\n"
OTHER_ROW = "Patient ID,First Name,Last Name,Birth Date\n7,Grace,Hopper,1966-12-09\n"


def _import_from(client, name: str, text: str):
    checked = upload(client, "patient", "generic", text, system_name=name)
    return review(client, checked, commit=True)


def test_two_other_systems_keep_their_ids_apart(client, desk):
    done = _import_from(client, "Old Desk", PATIENT_ROW)
    other = _import_from(client, "Paper Files", OTHER_ROW)
    again = _import_from(client, "  old   DESK ", PATIENT_ROW)

    assert done.status_code == other.status_code == again.status_code == 200
    assert "From old desk" in done.text and "From paper files" in other.text
    assert set(Patient.objects.values_list("first_name", flat=True)) == {"Ada", "Grace"}
    assert set(ExternalRecord.objects.values_list("source", "external_id")) == {
        ("generic:old desk", "7"),
        ("generic:paper files", "7"),
    }


def test_another_system_needs_its_name(client, desk):
    response = client.post(
        "/staff/import/",
        {
            "kind": "patient",
            "source": "generic",
            "system_name": "  ",
            "file": csv_file(PATIENT_ROW),
        },
    )

    assert response.status_code == 400
    assert "Give the name of the system" in response.text


def test_a_review_for_an_unknown_system_is_refused(client, desk):
    checked = upload(client, "patient", "generic", PATIENT_ROW)
    data = form_data(checked)

    for source in ("generic", "generic: ", "somewhere"):
        address = f"/staff/import/{checked.context['upload'].pk}/"
        response = client.post(address, {**data, "source": source, "check": "1"})

        assert response.status_code == 400
        assert "Choose the system the file is from again" in response.text
