"""Patients from a Jane App shaped export: every row's problem before anything is written,
all or nothing, and a second import of the same file changes nothing."""

import datetime as dt

import pytest

from sotclinic.audit.models import AccessLog, Action
from sotclinic.imports.models import ExternalRecord
from sotclinic.patients.models import Patient
from tests.factories import make_patient

from .conftest import import_file, review, upload

pytestmark = pytest.mark.django_db

JANE = (
    "Patient ID,First Name,Last Name,Preferred Name,Birth Date,Email,Mobile Phone,Address,City,"
    "Province,Postal Code\n"
    "101,Olivia,Hartley,Liv,1984-03-07,olivia@example.com,07400 123456,1 Quay Road,Harbourtown,"
    ",HT1 1AA\n"
    "102,Tom,Baker,,1990-11-30,tom@example.com,+44 117 496 0002,,,,\n"
    "103,Zoë,Müller,,1975-01-02,,020 7946 0000,,,,\n"
)


def test_the_first_check_maps_the_jane_columns_and_lists_what_would_happen(client, desk):
    response = upload(client, "patient", "jane", JANE)

    assert response.status_code == 200
    form = response.context["form"]
    assert [form.data[f"column_{i}"] for i in range(11)] == [
        "external_id", "first_name", "last_name", "", "date_of_birth", "email", "phone",
        "address", "address", "address", "address",
    ]  # fmt: skip
    assert response.context["summary"]["created"] == 3
    assert Patient.objects.count() == 0  # the check keeps nothing
    assert b"Import 3 rows" in response.content


def test_importing_creates_the_patients_with_the_phone_stored_as_the_patients_app_does(
    client, desk
):
    response = import_file(client, "patient", "jane", JANE)

    assert response.status_code == 200
    assert b"3 created, 0 changed, 0 linked, 0 unchanged, 0 left out" in response.content
    olivia = Patient.objects.get(first_name="Olivia")
    assert olivia.phone == "+447400123456"
    assert olivia.address == "1 Quay Road\nHarbourtown\nHT1 1AA"
    assert olivia.date_of_birth == dt.date(1984, 3, 7)
    assert Patient.objects.get(last_name="Müller").phone == "+442079460000"
    assert ExternalRecord.objects.filter(source="jane", kind="patient").count() == 3


def test_each_created_patient_gets_access_log_rows_naming_the_import(client, desk):
    import_file(client, "patient", "jane", JANE)

    olivia = Patient.objects.get(first_name="Olivia")
    actions = set(AccessLog.objects.filter(patient=olivia).values_list("action", "detail"))
    assert (Action.REGISTER_PATIENT, "") in actions
    assert (Action.IMPORT_RECORD, "patient record from Jane App") in actions
    assert AccessLog.objects.filter(patient=olivia, user=desk).count() == 2


def test_importing_the_same_file_again_changes_nothing_and_says_so(client, desk):
    import_file(client, "patient", "jane", JANE)
    logged = AccessLog.objects.filter(patient__isnull=False).count()

    again = import_file(client, "patient", "jane", JANE)

    assert b"0 created, 0 changed, 0 linked, 3 unchanged" in again.content
    assert Patient.objects.count() == 3
    # No patient's record was touched (viewing the upload's pages logs rows about the file).
    assert AccessLog.objects.filter(patient__isnull=False).count() == logged


def test_a_changed_row_updates_the_patient_and_logs_which_fields(client, desk):
    import_file(client, "patient", "jane", JANE)
    newer = JANE.replace("tom@example.com", "tom.baker@example.com")

    check = upload(client, "patient", "jane", newer)
    assert check.context["summary"]["changed"] == 1
    assert b"E-mail" in check.content
    review(client, check, commit=True)

    tom = Patient.objects.get(first_name="Tom")
    assert tom.email == "tom.baker@example.com"
    assert AccessLog.objects.filter(
        patient=tom, action=Action.EDIT_PATIENT, detail="email"
    ).exists()


def test_a_patient_already_registered_is_linked_not_duplicated_nor_overwritten(client, desk):
    olivia = make_patient(
        first_name="Olivia",
        last_name="Hartley",
        date_of_birth=dt.date(1984, 3, 7),
        email="OLIVIA@example.com",
        phone="+442079460018",
    )
    zoe = make_patient(first_name="Zoe", last_name="Muller", date_of_birth=dt.date(1975, 1, 2))

    response = import_file(client, "patient", "jane", JANE)

    assert b"1 created, 0 changed, 2 linked" in response.content
    olivia.refresh_from_db()
    assert olivia.phone == "+442079460018"
    assert ExternalRecord.objects.get(external_id="101").patient == olivia
    assert ExternalRecord.objects.get(external_id="103").patient == zoe
    assert AccessLog.objects.filter(patient=olivia, action=Action.IMPORT_RECORD).exists()


BAD = (
    "Patient ID,First Name,Last Name,Birth Date,Email,Mobile Phone\n"
    "201,Ann,Lee,1980-02-30,ann@example.com,07400 123457\n"
    "202,,Stone,1981-05-05,not-an-email,12\n"
    "203,Bea,Ray,1982-06-06,bea@example.com,\n"
    "201,Ann,Lee,1980-02-03,ann@example.com,\n"
    "204,Cy,Doe,1983-07-07,\n"
)


def test_the_check_lists_every_problem_of_every_row_with_its_line(client, desk):
    response = upload(client, "patient", "jane", BAD)

    rows = {row.line: row.problems for row in response.context["result"].rows}
    assert "“1980-02-30” is not a date" in rows[2][0]
    assert any(p.startswith("First name:") for p in rows[3])
    assert any(p.startswith("E-mail:") for p in rows[3])
    assert any(p.startswith("Phone:") for p in rows[3])
    assert rows[4] == []
    assert rows[5] == ["The ID 201 is also on line 2; each record may appear once."]
    assert rows[6] == []
    assert response.context["summary"]["problems"] == 3
    assert b"3 rows have a problem" in response.content
    assert b'name="import"' not in response.content


def test_an_import_with_a_bad_row_imports_nothing(client, desk):
    check = upload(client, "patient", "jane", BAD)

    response = review(client, check, commit=True)

    assert response.status_code == 422
    assert Patient.objects.count() == 0
    assert ExternalRecord.objects.count() == 0
    assert not AccessLog.objects.filter(patient__isnull=False).exists()
    assert set(AccessLog.objects.values_list("action", flat=True)) == {Action.VIEW_IMPORT}


def test_dates_are_read_in_the_order_chosen_for_the_file(client, desk):
    text = "Patient ID,First Name,Last Name,Birth Date\n1,Ann,Lee,03/04/1985\n"

    day_first = upload(client, "patient", "generic", text)
    assert day_first.context["form"].data["date_order"] == "DMY"  # the clinic's
    review(client, review(client, day_first, date_order="MDY"), commit=True)

    assert Patient.objects.get().date_of_birth == dt.date(1985, 3, 4)


def test_a_row_with_more_values_than_the_header_is_a_problem(client, desk):
    text = "Patient ID,First Name,Last Name,Birth Date\n1,Ann,Lee,1985-03-04,extra\n"

    response = upload(client, "patient", "generic", text)

    assert response.context["result"].rows[0].problems == [
        "This row has 5 values but the header names 4 columns."
    ]


def test_an_empty_required_value_is_named(client, desk):
    text = "Patient ID,First Name,Last Name,Birth Date\n,Ann,Lee,1985-03-04\n"

    response = upload(client, "patient", "generic", text)

    assert response.context["result"].rows[0].problems == ["Patient ID in the old system is empty."]


def test_a_change_that_would_duplicate_another_patient_is_that_rows_problem(client, desk):
    import_file(client, "patient", "jane", JANE)
    clash = JANE.replace("tom@example.com", "olivia@example.com").replace(
        "1990-11-30", "1984-03-07"
    )

    response = upload(client, "patient", "jane", clash)

    assert "already registered" in response.context["result"].rows[1].problems[0]


def test_two_patients_of_the_same_name_and_birthday_are_not_guessed_between(client, desk):
    for _ in range(2):
        make_patient(first_name="Zoe", last_name="Muller", date_of_birth=dt.date(1975, 1, 2))

    response = import_file(client, "patient", "jane", JANE)

    assert b"3 created" in response.content
    assert Patient.objects.filter(last_name__in=["Muller", "Müller"]).count() == 3


def test_the_same_file_again_keeps_what_staff_changed_here_since(client, desk):
    import_file(client, "patient", "jane", JANE)
    Patient.objects.filter(first_name="Tom").update(phone="+447400123999")

    again = import_file(client, "patient", "jane", JANE)

    assert b"0 created, 0 changed, 0 linked, 3 unchanged" in again.content
    assert Patient.objects.get(first_name="Tom").phone == "+447400123999"


def test_a_linked_patient_is_unchanged_by_the_same_file_again(client, desk):
    make_patient(
        first_name="Olivia", last_name="Hartley", date_of_birth=dt.date(1984, 3, 7),
        email="olivia@example.com", phone="+442079460018",
    )  # fmt: skip
    import_file(client, "patient", "jane", JANE)

    again = import_file(client, "patient", "jane", JANE)

    assert b"0 created, 0 changed, 0 linked, 3 unchanged" in again.content
    assert Patient.objects.get(first_name="Olivia").phone == "+442079460018"


def test_a_row_changed_back_to_what_the_record_holds_is_unchanged(client, desk):
    import_file(client, "patient", "jane", JANE)
    Patient.objects.filter(first_name="Tom").update(email="tom.baker@example.com")

    again = import_file(
        client, "patient", "jane", JANE.replace("tom@example.com", "tom.baker@example.com")
    )

    assert b"0 created, 0 changed, 0 linked, 3 unchanged" in again.content
