import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.patients.models import Patient
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client):
    user = make_user(Role.FRONT_DESK)
    client.force_login(user)
    client.user = user
    return client


def _data(**changes) -> dict:
    data = {
        "first_name": "Olivia",
        "last_name": "Hartley",
        "date_of_birth": "1984-03-07",
        "email": "olivia@example.com",
        "phone": "+44 20 7946 0018",
        "address": "1 Quay Road",
        "consent_to_contact": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_register_creates_the_patient_and_an_audit_row(desk):
    response = desk.post("/staff/patients/new/", _data(date_of_birth="07/03/1984"))

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{patient.pk}/"
    assert (patient.full_name, patient.date_of_birth) == ("Olivia Hartley", dt.date(1984, 3, 7))
    assert patient.consent_to_contact and patient.consent_recorded_at is not None
    row = AccessLog.objects.get(patient=patient)
    assert (row.action, row.user_id) == (Action.REGISTER_PATIENT, desk.user.pk)


def _years_ago(years: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1).isoformat()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Enter the first name."),
        ({"last_name": None}, "last_name", "Enter the last name."),
        ({"date_of_birth": ""}, "date_of_birth", "Enter the date of birth."),
        ({"date_of_birth": "31/02/1984"}, "date_of_birth", "Enter a real date"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": _years_ago(131)}, "date_of_birth", "more than 130 years ago"),
        ({"email": "olivia@"}, "email", "Enter an e-mail address"),
        ({"phone": "call me maybe"}, "phone", "not a phone number we can reach"),
        ({"phone": "12 34"}, "phone", "not a phone number we can reach"),
        ({"phone": "07700 900123"}, "phone", "e.g. 07400 123456, or with the country code"),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(desk, changes, field, message):
    response = desk.post("/staff/patients/new/", _data(**changes))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Patient.objects.exists() and not AccessLog.objects.exists()


def test_optional_contact_fields_may_be_blank(desk):
    response = desk.post("/staff/patients/new/", _data(email="", phone="", address=""))

    assert response.status_code == 302


def test_same_email_and_birth_date_warns_with_a_link_and_creates_nothing(desk):
    known = make_patient(email="Olivia@example.com", date_of_birth=dt.date(1984, 3, 7))

    response = desk.post("/staff/patients/new/", _data())

    html = response.content.decode()
    assert response.status_code == 422
    assert f'href="/staff/patients/{known.pk}/"' in html
    assert 'name="create_anyway"' in html
    assert Patient.objects.count() == 1


def test_create_anyway_registers_a_second_record(desk):
    make_patient(email="olivia@example.com", date_of_birth=dt.date(1984, 3, 7))

    response = desk.post("/staff/patients/new/", _data(create_anyway="on"))

    assert response.status_code == 302
    assert Patient.objects.count() == 2
    row = AccessLog.objects.get(action=Action.REGISTER_PATIENT)
    assert "anyway" in row.detail


def test_edit_saves_the_change_and_logs_the_field_names(desk):
    patient = make_patient(
        first_name="Olivia",
        last_name="Hartley",
        date_of_birth=dt.date(1984, 3, 7),
        email="olivia@example.com",
        phone="+44 20 7946 0018",
        address="1 Quay Road",
    )

    response = desk.post(
        f"/staff/patients/{patient.pk}/edit/", _data(phone="0117 496 0123", consent_to_contact=None)
    )

    patient.refresh_from_db()
    assert response.status_code == 302
    assert patient.phone == "+441174960123"  # E.164, read in the clinic's region (GB)
    row = AccessLog.objects.get(patient=patient)
    assert (row.action, row.detail) == (Action.EDIT_PATIENT, "phone")


def test_edit_with_bad_input_changes_nothing(desk):
    patient = make_patient(first_name="Olivia", phone="020 7946 0018")

    response = desk.post(
        f"/staff/patients/{patient.pk}/edit/",
        _data(first_name="Livvy", phone="020 7946 0018", email="nope"),
    )

    patient.refresh_from_db()
    assert response.status_code == 422
    assert patient.first_name == "Olivia"
    assert not AccessLog.objects.exists()


def test_edit_to_another_patients_email_and_birth_date_warns(desk):
    other = make_patient(email="olivia@example.com", date_of_birth=dt.date(1984, 3, 7))
    patient = make_patient(email="o.h@example.com", date_of_birth=dt.date(1984, 3, 7))

    response = desk.post(f"/staff/patients/{patient.pk}/edit/", _data())

    patient.refresh_from_db()
    assert response.status_code == 422
    assert f'href="/staff/patients/{other.pk}/"' in response.content.decode()
    assert patient.email == "o.h@example.com"


def test_edit_form_shows_the_stored_values(desk):
    patient = make_patient(first_name="Olivia", date_of_birth=dt.date(1984, 3, 7))

    html = desk.get(f"/staff/patients/{patient.pk}/edit/").content.decode()

    assert 'value="Olivia"' in html and 'value="1984-03-07"' in html
