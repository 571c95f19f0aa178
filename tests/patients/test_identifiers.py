"""Administrative gender and identifiers (NHS number, medical record number): entered on the
staff patient form, shown on the patient page, checked where they are typed."""

import pytest
from django.core.exceptions import ValidationError

from sotclinic.accounts.models import Role
from sotclinic.patients.models import Patient
from sotclinic.patients.validators import validate_nhs_number
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db


def _data(**changes) -> dict:
    return {
        "first_name": "Olivia",
        "last_name": "Hartley",
        "date_of_birth": "1984-03-07",
        "email": "olivia@example.com",
        "phone": "",
        "address": "",
        **changes,
    }


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", " 943-476-5919 "])
def test_a_valid_nhs_number_is_stored_as_ten_digits(typed):
    assert validate_nhs_number(typed.strip()) == "9434765919"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("943476591", "has 10 digits"),
        ("94347659190", "has 10 digits"),
        ("94347659１9", "has 10 digits"),
        ("9434765918", "check digit does not match"),
        ("1000000010", "check digit does not match"),  # remainder 1: check digit 10 never valid
    ],
)
def test_a_wrong_nhs_number_is_refused_with_a_reason(typed, message):
    with pytest.raises(ValidationError) as refused:
        validate_nhs_number(typed)

    assert message in refused.value.messages[0]


def test_a_check_digit_of_eleven_means_zero():
    # 100000006: weighted sum 1·10 + 6·2 = 22, remainder 0, so 11 − 0 = 11 is written 0.
    assert validate_nhs_number("1000000060") == "1000000060"


def test_registering_with_gender_and_identifiers_stores_them(desk):
    response = desk.post(
        "/staff/patients/new/",
        _data(gender="female", nhs_number="943 476 5919", medical_record_number=" MR-7 "),
    )

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert (patient.gender, patient.nhs_number, patient.medical_record_number) == (
        "female",
        "9434765919",
        "MR-7",
    )


def test_a_wrong_nhs_number_is_shown_on_the_form_and_nothing_is_saved(desk):
    response = desk.post("/staff/patients/new/", _data(nhs_number="943 476 5918"))

    assert response.status_code == 422
    assert "check digit does not match" in response.text
    assert not Patient.objects.exists()


def test_an_unknown_gender_code_is_refused(desk):
    response = desk.post("/staff/patients/new/", _data(gender="f"))

    assert response.status_code == 422
    assert not Patient.objects.exists()


def test_the_patient_page_shows_gender_and_identifiers(client):
    patient = make_patient(gender="other", nhs_number="9434765919", medical_record_number="MR-7")
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/patients/{patient.pk}/")

    assert page.status_code == 200
    assert "943 476 5919" in page.text and "MR-7" in page.text
    assert "Administrative gender" in page.text


def test_the_patient_page_says_when_gender_is_not_recorded(client):
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/patients/{patient.pk}/")

    assert "not recorded" in page.text
    assert patient.nhs_number_display == ""


def test_the_form_and_page_read_in_german_in_a_german_clinic(client):
    from sotclinic.scheduling.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()
    patient = make_patient(gender="other", nhs_number="9434765919")
    client.force_login(make_user(Role.FRONT_DESK))

    form = client.get("/staff/patients/new/")
    page = client.get(f"/staff/patients/{patient.pk}/")

    assert "Administratives Geschlecht" in form.text and "NHS-Nummer" in form.text
    assert "Patientenaktennummer" in form.text
    assert "Divers" in page.text
