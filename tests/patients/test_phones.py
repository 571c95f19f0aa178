"""Phone numbers: one rule for the staff form, the booking page and the booking API; stored in
E.164 and read in the clinic's phone region; shown nationally for the clinic's own country."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from sotclinic import clinic_locale
from sotclinic.accounts.models import Role
from sotclinic.patients.models import Patient
from sotclinic.patients.phones import (
    display_phone,
    is_checked,
    normalise_phone,
    stored_digits,
    validate_phone_region,
)
from sotclinic.patients.selectors import search_patients
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sotclinic.patients.migrations.0005_phone_numbers_e164")


def _clinic_region(region: str) -> None:
    clinic = ClinicSettings.load()
    clinic.phone_region = region
    clinic.save()


@pytest.fixture(autouse=True)
def forget_booking_attempts():
    """Each booking here counts against the address's limit: leave none for later tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def slot():
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return doctor, kind, start


def _staff_form(client, phone, slot=None):
    client.force_login(make_user(Role.FRONT_DESK))
    data = {
        "first_name": "Olivia",
        "last_name": "Staff",
        "date_of_birth": "1984-03-07",
        "email": "staff@example.com",
        "phone": phone,
    }
    return client.post("/staff/patients/new/", data), "staff@example.com"


def _booking_page(client, phone, slot):
    doctor, kind, start = slot
    when = start.isoformat().replace("+", "%2B")
    data = {
        "first_name": "Olivia",
        "last_name": "Page",
        "email": "page@example.com",
        "phone": phone,
        "date_of_birth": "1984-03-07",
        "consent": "on",
    }
    url = f"/portal/book/?type={kind.pk}&practitioner={doctor.pk}&start={when}"
    return client.post(url, data), "page@example.com"


def _booking_api(client, phone, slot):
    doctor, kind, start = slot
    body = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": start.isoformat(),
        "first_name": "Olivia",
        "last_name": "Api",
        "email": "api@example.com",
        "phone": phone,
        "date_of_birth": "1984-03-07",
        "consent": True,
    }
    return client.post("/api/v1/bookings", body, "application/json"), "api@example.com"


ADAPTERS = [_staff_form, _booking_page, _booking_api]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=["staff form", "booking page", "booking API"])
@pytest.mark.parametrize(
    ("region", "typed", "stored"),
    [
        ("US", "(212) 555-0101", "+12125550101"),
        ("GB", "0117 496 0123", "+441174960123"),
        ("DE", "030 901820", "+4930901820"),
        ("GB", "+49 30 901820", "+4930901820"),
    ],
)
def test_each_way_in_stores_the_number_in_e164_read_in_the_clinics_region(
    client, slot, adapter, region, typed, stored
):
    _clinic_region(region)

    response, email = adapter(client, typed, slot)

    assert response.status_code in (201, 302), response.content[:500]
    assert Patient.objects.get(email=email).phone == stored


@pytest.mark.parametrize("adapter", ADAPTERS, ids=["staff form", "booking page", "booking API"])
@pytest.mark.parametrize("typed", ["call me maybe", "12 34", "07700 900123", "+1 555 0101"])
def test_each_way_in_refuses_a_number_that_cannot_exist_with_the_same_message(
    client, slot, adapter, typed
):
    response, email = adapter(client, typed, slot)

    assert response.status_code in (400, 422)
    assert "not a phone number we can reach" in response.content.decode().replace("&#x27;", "'")
    assert not Patient.objects.filter(email=email).exists()


def test_the_message_gives_examples_of_the_clinics_own_country():
    with pytest.raises(ValidationError) as refused:
        normalise_phone("12", "DE")

    assert "e.g. 01512 3456789, or with the country code, e.g. +49 1512 3456789" in str(
        refused.value
    )


def test_without_an_example_for_the_region_the_message_asks_for_the_country_code():
    # libphonenumber has no example mobile number for Tristan da Cunha.
    with pytest.raises(ValidationError, match="Enter it with its country code"):
        normalise_phone("12", "TA")


def test_a_blank_number_stays_blank():
    assert normalise_phone("  ", "GB") == ""


def test_numbers_of_the_clinics_country_are_shown_nationally_others_internationally():
    with clinic_locale.override(clinic_locale.ClinicLocale(phone_region="GB")):
        assert display_phone("+441174960123") == "0117 496 0123"
        assert display_phone("+4930901820") == "+49 30 901820"
    assert display_phone("+12125550101", region="US") == "(212) 555-0101"
    assert display_phone("call me", region="GB") == "call me"
    assert display_phone("", region="GB") == ""


def test_the_staff_pages_show_the_national_form_and_mark_a_number_kept_as_typed(client):
    checked = make_patient(phone="+441174960123")
    kept = make_patient(phone="ring the shop")
    client.force_login(make_user(Role.FRONT_DESK))

    checked_page = client.get(f"/staff/patients/{checked.pk}/").content.decode()
    kept_page = client.get(f"/staff/patients/{kept.pk}/").content.decode()

    assert 'href="tel:+441174960123">0117 496 0123</a>' in checked_page
    assert "not checked" not in checked_page
    assert "ring the shop" in kept_page and "not checked" in kept_page
    assert (checked.phone_checked, kept.phone_checked) == (True, False)


def test_is_checked_only_for_a_valid_number_written_in_e164():
    assert is_checked("")
    assert is_checked("+441174960123")
    assert not is_checked("+44 117 496 0123")
    assert not is_checked("0117 496 0123")
    assert not is_checked("+44 7700 900123")


def test_the_migration_rewrites_readable_numbers_and_keeps_the_others_as_typed():
    _clinic_region("DE")
    rows = {
        "030 901820": "+4930901820",
        "+44 117 496 0123": "+441174960123",
        "+4930901820": "+4930901820",
        "call the office": "call the office",
        "12 34": "12 34",
        "": "",
    }
    patients = {typed: make_patient(phone=typed) for typed in rows}

    migration.to_e164(apps, None)

    after = {typed: Patient.objects.get(pk=p.pk).phone for typed, p in patients.items()}
    assert after == rows


def test_the_migration_reads_national_numbers_as_gb_without_clinic_settings():
    ClinicSettings.objects.all().delete()
    patient = make_patient(phone="0117 496 0123")

    migration.to_e164(apps, None)

    patient.refresh_from_db()
    assert patient.phone == "+441174960123"


def test_search_finds_an_e164_number_typed_nationally_in_part():
    found = make_patient(last_name="Found", phone="+441174960123")
    make_patient(last_name="Other", phone="+4930901820")

    with clinic_locale.override(clinic_locale.ClinicLocale(phone_region="GB")):
        results = list(search_patients("0117 496"))

    assert results == [found]


def test_a_clinic_phone_region_without_a_numbering_plan_is_refused():
    clinic = ClinicSettings.load()
    clinic.phone_region = "ZZ"

    with pytest.raises(ValidationError) as refused:
        clinic.full_clean()

    assert "phone_region" in refused.value.message_dict


@pytest.mark.parametrize(
    ("typed", "region", "digits"),
    [("0117 496", "GB", "44117496"), ("030 9018", "DE", "49309018"), ("+44 117", "GB", "")],
)
def test_a_nationally_typed_number_is_searched_as_stored(typed, region, digits):
    assert stored_digits(typed, region) == digits


def test_a_number_without_the_national_prefix_is_searched_as_typed():
    assert stored_digits("(212) 555", "US") == ""  # the US prefix is 1; "212" lacks it


def test_a_region_with_a_numbering_plan_is_accepted():
    validate_phone_region("DE")  # no error
    with pytest.raises(ValidationError, match="numbering plan"):
        validate_phone_region("ZZ")
