"""The identifiers a superbill carries are checked where they are entered: an NPI is ten digits
whose last is the Luhn check digit over the 80840 prefix, a US tax ID is an EIN."""

import pytest
from django.core.exceptions import ValidationError

from sotclinic.scheduling.identifiers import (
    luhn_valid,
    normalise_tax_id,
    npi_valid,
    validate_npi,
    validate_tax_id,
)
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db


def test_the_cms_example_npi_is_valid_and_a_changed_check_digit_is_not():
    # CMS's worked example: 123456789 gets check digit 3 (Luhn over 80840123456789).
    assert npi_valid("1234567893")
    assert not npi_valid("1234567898")
    assert luhn_valid("808401234567893")
    assert not luhn_valid("1234567893")  # without the prefix the plain Luhn check fails


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123456789", "10 digits"),
        ("12345678930", "10 digits"),
        ("12345a7893", "10 digits"),
        ("１２３４５６７８９３", "10 digits"),  # full-width digits are not ASCII digits
        ("1234567898", "check digit"),
    ],
)
def test_a_wrong_npi_is_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_npi(value)


def test_tax_id_is_an_ein_written_with_or_without_its_hyphen():
    validate_tax_id("12-3456789")
    validate_tax_id("123456789")
    assert normalise_tax_id("123456789") == "12-3456789"
    for wrong in ("12-345678", "AB-3456789", "123-456789"):
        with pytest.raises(ValidationError, match="9 digits"):
            validate_tax_id(wrong)


def test_clinic_and_practitioner_identifiers_are_validated_on_the_models():
    settings = ClinicSettings.load()
    settings.npi, settings.tax_id = "1234567898", "12-34"
    with pytest.raises(ValidationError) as raised:
        settings.full_clean()
    assert set(raised.value.message_dict) == {"npi", "tax_id"}
    settings.npi, settings.tax_id = "1234567893", "12-3456789"
    settings.full_clean()

    practitioner = make_practitioner(npi="1245319599", registration_number="GCC 01234")
    practitioner.full_clean()
    practitioner.npi = "1245319590"
    with pytest.raises(ValidationError, match="check digit"):
        practitioner.full_clean()


US_LOCALE = {
    "language": "en-us",
    "time_format": "12h",
    "date_order": "MDY",
    "first_day_of_week": "0",
    "dob_order": "MDY",
    "currency": "USD",
    "phone_region": "US",
    "diagnosis_codes": "icd10cm",
}


def _desk(client):
    from sotclinic.accounts.models import Role
    from tests.factories import make_user

    client.force_login(make_user(Role.FRONT_DESK))
    return client


def test_staff_enter_the_practice_identifiers_on_the_regional_settings_page(client):
    fields = {**US_LOCALE, "billing_name": "Spine LLC", "npi": "1234567893", "tax_id": "123456789"}

    response = _desk(client).post(
        "/staff/clinic-locale/", {f"locale-{k}": v for k, v in fields.items()}
    )

    assert response.status_code == 302
    saved = ClinicSettings.load()
    assert (saved.billing_name, saved.npi, saved.tax_id) == (
        "Spine LLC",
        "1234567893",
        "12-3456789",
    )


def test_a_mistyped_practice_npi_is_refused_with_the_reason(client):
    fields = {**US_LOCALE, "npi": "1234567898"}

    response = _desk(client).post(
        "/staff/clinic-locale/", {f"locale-{k}": v for k, v in fields.items()}
    )

    assert response.status_code == 422
    assert "check digit" in response.text
    assert ClinicSettings.load().npi == ""


def test_staff_record_a_patients_insurance_on_the_patient_form(client):
    from sotclinic.patients.models import Patient

    response = _desk(client).post(
        "/staff/patients/new/",
        {
            "first_name": "Ina",
            "last_name": "Sured",
            "date_of_birth": "1980-02-03",
            "email": "ina@example.com",
            "contact_channel": "email",
            "insurer_name": "Acme Health",
            "insurance_member_id": "XJK1",
            "insurance_group_number": "G7",
        },
    )

    assert response.status_code == 302, response.content
    patient = Patient.objects.get(last_name="Sured")
    assert (patient.insurer_name, patient.insurance_member_id, patient.insurance_group_number) == (
        "Acme Health",
        "XJK1",
        "G7",
    )
