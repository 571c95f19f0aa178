"""A clinic's language and locale: the pages, the clock, the date order and typed dates of birth."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.charting.errors import InvalidDraft
from sotclinic.charting.models import ClinicDiagnosisCode, Note
from sotclinic.messaging.models import Message
from sotclinic.messaging.services import written
from sotclinic.patients.models import Patient
from sotclinic.scheduling.links import manage_token
from sotclinic.scheduling.models import Appointment, ClinicSettings
from sotclinic.scheduling.notifications import send_confirmation, send_reminder
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    save_note,
    sign_visit,
)

pytestmark = pytest.mark.django_db

US = {
    "language": "en-us",
    "time_format": "12h",
    "date_order": "MDY",
    "first_day_of_week": 0,
    "dob_order": "MDY",
    "currency": "USD",
    "phone_region": "US",
}
GB = {"language": "en-gb", "time_format": "24h", "date_order": "DMY", "dob_order": "DMY"}
GERMAN = {"language": "de", "time_format": "24h", "date_order": "DMY", "dob_order": "DMY"}


def clinic_locale(**fields) -> ClinicSettings:
    clinic = ClinicSettings.load()
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.save()
    return clinic


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street Chiropractic", phone="+1 212 555 0100")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(14, 30), tzinfo=location.tz).astimezone(dt.UTC)
    return location, doctor, kind, start


@pytest.fixture
def desk(client):
    client.force_login(make_user(Role.FRONT_DESK))
    return client


# Language ------------------------------------------------------------------------------------


def test_english_of_great_britain_is_the_default(client):
    page = client.get("/")

    assert '<html lang="en-gb">' in page.text
    assert "Book an appointment" in page.text


def test_a_german_clinic_shows_its_pages_in_german(client, clinic):
    clinic_locale(**GERMAN)

    page = client.get("/")
    booking = client.get("/portal/book/")

    assert '<html lang="de">' in page.text
    assert "Termin buchen" in page.text and "Book an appointment" not in page.text
    assert "Welche Terminart?" in booking.text


def test_a_german_clinic_shows_a_patient_without_appointments_in_german(desk):
    patient = make_patient()
    clinic_locale(**GERMAN)

    page = desk.get(f"/staff/patients/{patient.pk}/")

    assert "Nichts gebucht." in page.text and "Keine vergangenen Termine." in page.text
    assert "Nothing booked." not in page.text and "No past appointments." not in page.text


def test_browser_language_does_not_override_the_clinic(client):
    page = client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})

    assert "Book an appointment" in page.text


def test_patient_chooses_a_language_for_the_following_pages(client, clinic):
    chosen = client.post("/language/", {"language": "de", "next": "/portal/book/"})
    booking = client.get("/portal/book/")

    assert chosen.status_code == 302 and chosen["Location"] == "/portal/book/"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Welche Terminart?" in booking.text


def test_patient_can_choose_english_in_a_german_clinic(client, clinic):
    clinic_locale(**GERMAN)

    client.post("/language/", {"language": "en-gb", "next": "/"})

    assert "Book an appointment" in client.get("/").text


def test_signed_in_patients_choice_is_kept_on_their_record(client):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user)
    client.force_login(user)

    client.post("/language/", {"language": "de", "next": "/portal/"})

    patient.refresh_from_db()
    assert patient.preferred_language == "de"


def test_unknown_language_changes_nothing(client):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user)
    client.force_login(user)

    response = client.post("/language/", {"language": "xx", "next": "/"})

    patient.refresh_from_db()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert patient.preferred_language == ""
    assert "Book an appointment" in client.get("/").text


def test_language_selector_is_on_public_pages_and_not_for_staff(desk):
    public = Client().get("/portal/book/")
    staff = desk.get("/staff/")

    assert 'name="language"' in public.text and 'value="de"' in public.text
    assert 'name="language"' not in staff.text


# Clock and date order ------------------------------------------------------------------------


def _long_date(day: dt.date, order: str) -> str:
    if order == "MDY":
        return f"{day:%A}, {day:%B} {day.day}, {day.year}"
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def test_us_clinic_calendar_shows_12_hour_times_and_month_first_dates(desk, clinic):
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)
    clinic_locale(**US)
    day = start.astimezone(location.tz).date()

    page = desk.get(f"/staff/calendar/?view=day&date={day}")

    assert page.status_code == 200
    assert ">2:30 PM<" in page.text and ">14:30<" not in page.text
    assert _long_date(day, "MDY") in page.text
    assert ">9:00 AM<" in page.text  # the hour ruler


def test_british_clinic_calendar_shows_24_hour_times_and_day_first_dates(desk, clinic):
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)
    clinic_locale(**GB)
    day = start.astimezone(location.tz).date()

    page = desk.get(f"/staff/calendar/?view=day&date={day}")

    assert ">14:30<" in page.text and "2:30 PM" not in page.text
    assert _long_date(day, "DMY") in page.text


def test_us_clinic_shows_patients_12_hour_times_and_month_first_dates(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    clinic_locale(**US)
    day = start.astimezone(location.tz).date()

    times = client.get(f"/portal/book/?type={kind.pk}&practitioner=any&day={day}")
    manage = client.get(f"/portal/booking/{manage_token(appointment)}/")

    assert "9:00 AM" in times.text and "4:15 PM" in times.text
    assert _long_date(day, "MDY") + ", 2:30 PM" in manage.text


def test_german_dates_are_written_the_german_way(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    clinic_locale(**GERMAN)

    manage = client.get(f"/portal/booking/{manage_token(appointment)}/")

    day = start.astimezone(location.tz).date()
    assert f"{day.day}. " in manage.text and ", 14:30–15:15" in manage.text


# Dates of birth as typed ---------------------------------------------------------------------

STAFF_PATIENT = {
    "first_name": "Olivia",
    "last_name": "Hartley",
    "date_of_birth": "03/04/1985",
    "email": "olivia@example.com",
}


@pytest.mark.parametrize(
    ("locale", "born"), [(US, dt.date(1985, 3, 4)), (GB, dt.date(1985, 4, 3))], ids=["US", "GB"]
)
def test_staff_entered_date_of_birth_is_read_in_the_clinics_order(desk, locale, born):
    clinic_locale(**locale)

    response = desk.post("/staff/patients/new/", STAFF_PATIENT)

    assert response.status_code == 302
    assert Patient.objects.get().date_of_birth == born


@pytest.mark.parametrize(
    ("locale", "born"), [(US, dt.date(1985, 3, 4)), (GB, dt.date(1985, 4, 3))], ids=["US", "GB"]
)
def test_patient_entered_date_of_birth_is_read_in_the_clinics_order(client, clinic, locale, born):
    _, _, kind, start = clinic
    clinic_locale(**locale)
    when = start.isoformat().replace("+", "%2B")
    details = {
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+1 212 555 0101",
        "date_of_birth": "03/04/1985",
        "consent": "on",
    }

    response = client.post(f"/portal/book/?type={kind.pk}&practitioner=any&start={when}", details)

    assert response.status_code == 302
    assert Appointment.objects.get().patient.date_of_birth == born


def test_patient_search_reads_a_typed_birth_date_in_the_clinics_order(desk):
    march = make_patient(last_name="March", date_of_birth=dt.date(1985, 3, 4))
    april = make_patient(last_name="April", date_of_birth=dt.date(1985, 4, 3))

    clinic_locale(**US)
    us = desk.get("/staff/patients/", {"q": "03/04/1985"})
    clinic_locale(**GB)
    gb = desk.get("/staff/patients/", {"q": "03/04/1985"})

    assert march.last_name in us.text and april.last_name not in us.text
    assert april.last_name in gb.text and march.last_name not in gb.text


# The settings page ---------------------------------------------------------------------------


def test_staff_set_the_clinics_locale(desk):
    response = desk.post(
        "/staff/clinic-locale/",
        {f"locale-{name}": value for name, value in {**US, "diagnosis_codes": "icd10cm"}.items()},
    )

    assert response.status_code == 302
    saved = ClinicSettings.load()
    assert (saved.language, saved.time_format, saved.dob_order, saved.currency) == (
        "en-us",
        "12h",
        "MDY",
        "USD",
    )


def test_bad_locale_settings_are_refused_whole(desk):
    fields = {**US, "currency": "dollars", "diagnosis_codes": "icd10cm"}

    response = desk.post(
        "/staff/clinic-locale/", {f"locale-{name}": value for name, value in fields.items()}
    )

    assert response.status_code == 422
    assert "ISO 4217" in response.text
    assert ClinicSettings.load().language == "en-gb"


def test_patients_may_not_open_the_locale_settings(client):
    client.force_login(make_user(Role.PATIENT))

    assert client.get("/staff/clinic-locale/").status_code in (302, 403)


# Week, code systems, messages ----------------------------------------------------------------


def test_week_view_starts_on_the_clinics_first_day_of_the_week(desk, clinic):
    clinic_locale(**US)  # weeks from Sunday
    thursday = dt.date(2027, 3, 4)

    us_week = desk.get(f"/staff/calendar/?view=week&date={thursday}")
    clinic_locale(**GB, first_day_of_week=1)
    gb_week = desk.get(f"/staff/calendar/?view=week&date={thursday}")

    assert "Week of February 28, 2027" in us_week.text
    assert "Week of 1 March 2027" in gb_week.text


def test_diagnosis_codes_follow_the_clinics_code_system(client):
    doctor = make_practitioner(make_location())
    client.force_login(doctor.user)
    us_visit, gb_visit = make_visit(doctor), make_visit(doctor)

    clinic_locale(diagnosis_codes="icd10cm")
    us_page = client.get(f"/staff/visits/{us_visit.pk}/")
    us_search = client.get("/staff/diagnosis-codes/", {"q": "low back"})
    save_note(us_visit, diagnosis_codes=["m54.50", "S13.4XXA"])
    clinic_locale(diagnosis_codes="icd10")
    gb_page = client.get(f"/staff/visits/{gb_visit.pk}/")
    gb_search = client.get("/staff/diagnosis-codes/", {"q": "low back"})
    save_note(gb_visit, diagnosis_codes=["M54.5"])
    # The US note, saved again after the clinic changed system, keeps its codes' system and
    # codes a new one in the clinic's.
    save_note(us_visit, diagnosis_codes=["M54.50", "S13.4XXA", "G44.2"])

    assert "Diagnosis codes (ICD-10-CM)" in us_page.text
    assert "Diagnosis codes (ICD-10)" in gb_page.text
    assert "Low back pain, unspecified" in us_search.text  # the shipped ICD-10-CM subset
    assert "Low back pain, unspecified" not in gb_search.text
    cm, who = "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"
    assert Note.objects.get(visit=us_visit).diagnosis_codes == [
        {"system": cm, "code": "M54.50"},
        {"system": cm, "code": "S13.4XXA"},
        {"system": who, "code": "G44.2"},
    ]
    assert Note.objects.get(visit=gb_visit).diagnosis_codes == [{"system": who, "code": "M54.5"}]


def test_a_code_is_checked_for_the_format_of_the_clinics_system():
    visit = make_visit()
    clinic_locale(diagnosis_codes="icd10")

    with pytest.raises(InvalidDraft) as refused:
        save_note(visit, diagnosis_codes=["S13.4XXA"])  # ICD-10-CM's seventh character

    assert refused.value.errors["diagnosis_codes"] == (
        "Not in the format of ICD-10: S13.4XXA. A code looks like M54.5."
    )
    clinic_locale(diagnosis_codes="icd10cm")
    assert save_note(visit, diagnosis_codes=["S13.4XXA"]).diagnosis_codes == [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "S13.4XXA"}
    ]


def test_the_clinics_own_codes_are_offered_in_their_system(client):
    doctor = make_practitioner(make_location())
    client.force_login(doctor.user)
    ClinicDiagnosisCode.objects.create(system="icd10", code="M54.16", title="Radikulopathie: LWS")
    ClinicDiagnosisCode.objects.create(system="icd10cm", code="M54.16", title="Radiculopathy, L")

    clinic_locale(diagnosis_codes="icd10")
    who = client.get("/staff/diagnosis-codes/", {"q": "M54.1"})
    typed = client.get("/staff/diagnosis-codes/", {"q": "M51.2"})
    clinic_locale(diagnosis_codes="icd10cm")
    cm = client.get("/staff/diagnosis-codes/", {"q": "radiculopathy"})

    assert "Radikulopathie: LWS" in who.text and "Radiculopathy, L" not in who.text
    assert "M51.2" in typed.text and "(as typed)" in typed.text
    assert "Radiculopathy, L" in cm.text and "Radikulopathie" not in cm.text


def test_a_signed_note_names_each_codes_system(client):
    doctor = make_practitioner(make_location())
    client.force_login(doctor.user)
    visit = make_visit(doctor)
    clinic_locale(diagnosis_codes="icd10cm")
    sign_visit(visit, diagnosis_codes=["M54.50"])

    page = client.get(f"/staff/visits/{visit.pk}/").text

    assert 'data-system="http://hl7.org/fhir/sid/icd-10-cm"' in page
    assert "M54.50 <small>(ICD-10-CM)</small> Low back pain, unspecified" in page


def test_a_clinic_in_the_us_gets_icd10cm_and_us_billing_codes_by_default(desk):
    assert (ClinicSettings.load().diagnosis_codes, ClinicSettings.load().us_billing_codes) == (
        "icd10",
        False,
    )

    def post(**fields):
        desk.post("/staff/clinic-locale/", {f"locale-{k}": v for k, v in fields.items()})
        return ClinicSettings.load()

    # The form posts the code settings as they were (the defaults) with the new country.
    us = post(**US, diagnosis_codes="icd10")
    kept = post(**{**US, "diagnosis_codes": "icd10"})  # no billing codes: the box left empty
    moved = post(**{**US, "phone_region": "DE", "diagnosis_codes": "icd10cm"})

    assert (us.diagnosis_codes, us.us_billing_codes) == ("icd10cm", True)
    assert us.locale().code_system_uri == "http://hl7.org/fhir/sid/icd-10-cm"
    assert (kept.diagnosis_codes, kept.us_billing_codes) == ("icd10", False)
    # Moving country while choosing the code system keeps the choice.
    assert (moved.phone_region, moved.diagnosis_codes, moved.us_billing_codes) == (
        "DE",
        "icd10cm",
        False,
    )


def test_a_clinic_moving_country_while_ticking_us_billing_codes_keeps_the_tick(desk):
    fields = {**US, "phone_region": "CA", "diagnosis_codes": "icd10", "us_billing_codes": "on"}

    response = desk.post("/staff/clinic-locale/", {f"locale-{k}": v for k, v in fields.items()})

    assert response.status_code == 302
    clinic = ClinicSettings.load()
    assert (clinic.phone_region, clinic.diagnosis_codes, clinic.us_billing_codes) == (
        "CA",
        "icd10",
        True,
    )


def _queued_to(address: str) -> Message:
    return written(Message.objects.get(to=[address]))


def test_confirmation_is_written_in_the_patients_language(clinic):
    location, doctor, kind, start = clinic
    clinic_locale(**GB)
    german = make_patient(preferred_language="de", email="lena@example.com")
    english = make_patient(email="olivia@example.com")

    send_confirmation(make_appointment(doctor, start, patient=german, kind=kind))
    send_confirmation(
        make_appointment(doctor, start + dt.timedelta(hours=1), patient=english, kind=kind)
    )

    to_german = _queued_to("lena@example.com")
    to_english = _queued_to("olivia@example.com")
    assert to_german.subject == "Ihr Termin in der Praxis Harbour Street Chiropractic"
    assert "Ihr Termin ist gebucht." in to_german.body and "Wann:" in to_german.body
    assert to_english.subject == "Your appointment at Harbour Street Chiropractic"
    assert "Your appointment is booked." in to_english.body


def test_reminders_outside_a_request_use_the_clinics_formats(clinic):
    location, doctor, kind, start = clinic
    clinic_locale(**US)
    patient = make_patient(email="sam@example.com")

    send_reminder(make_appointment(doctor, start, patient=patient, kind=kind, location=location))

    assert "2:30 PM" in _queued_to("sam@example.com").body


def test_a_new_patient_booking_in_german_gets_german_messages(client, clinic):
    _, _, kind, start = clinic
    client.post("/language/", {"language": "de", "next": "/portal/book/"})
    when = start.isoformat().replace("+", "%2B")
    details = {
        "first_name": "Lena",
        "last_name": "Neumann",
        "email": "lena@example.com",
        "phone": "+49 30 901820",
        "date_of_birth": "1988-02-03",
        "consent": "on",
    }

    client.post(f"/portal/book/?type={kind.pk}&practitioner=any&start={when}", details)

    assert Patient.objects.get(email="lena@example.com").preferred_language == "de"
    assert _queued_to("lena@example.com").subject.startswith("Ihr Termin")


def test_the_json_api_answers_in_english_whatever_the_clinic_chose(client, clinic):
    clinic_locale(**GERMAN)

    response = client.get("/api/v1/slots", {"appointment_type": 999999, "practitioner": 1})

    assert response.status_code in (400, 404, 422)
    assert response.headers.get("Content-Language") is None
    assert "Termin" not in response.text


def test_layout_numbers_stay_numbers_in_a_german_clinic(desk, clinic):
    """CSS and SVG take 12.5, never the reader's 12,5."""
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)
    clinic_locale(**GERMAN)
    day = start.astimezone(location.tz).date()

    page = desk.get(f"/staff/calendar/?view=day&date={day}")

    layouts = re.findall(r'data-layout="([^"]*)"', page.text)
    assert any("." in value for value in layouts)
    assert not any("," in value for value in layouts)
