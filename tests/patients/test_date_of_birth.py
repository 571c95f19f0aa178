"""One date-of-birth rule (`validate_date_of_birth`) for every form that takes one: the staff
patient form, the public booking page, the booking API and the intake's "about" step."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.services import intake_token
from sotclinic.patients.validators import OLDEST_AGE_YEARS, validate_date_of_birth
from tests.factories import (
    intake_sections,
    make_appointment_type,
    make_intake,
    make_location,
    make_open_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2030, 6, 3)
FUTURE = "The date of birth cannot be in the future."
TOO_OLD = f"That is more than {OLDEST_AGE_YEARS} years ago; check the year."


def test_today_and_exactly_the_oldest_age_are_accepted():
    oldest = TODAY.replace(year=TODAY.year - OLDEST_AGE_YEARS)

    assert validate_date_of_birth(TODAY, today=TODAY) == TODAY
    assert validate_date_of_birth(oldest, today=TODAY) == oldest


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (TODAY + dt.timedelta(days=1), FUTURE),
        (TODAY.replace(year=TODAY.year - OLDEST_AGE_YEARS) - dt.timedelta(days=1), TOO_OLD),
    ],
)
def test_tomorrow_and_one_day_older_than_the_oldest_age_are_refused(born, message):
    with pytest.raises(ValidationError) as refused:
        validate_date_of_birth(born, today=TODAY)

    assert refused.value.messages == [message]


def _too_old() -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - OLDEST_AGE_YEARS - 1).isoformat()


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def clinic():
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return doctor, kind, start


@pytest.mark.parametrize(("born", "message"), [(_tomorrow, FUTURE), (_too_old, TOO_OLD)])
def test_staff_patient_form(client, born, message):
    client.force_login(make_user(Role.FRONT_DESK))
    data = {"first_name": "Olivia", "last_name": "Hartley", "date_of_birth": born()}

    response = client.post("/staff/patients/new/", data)

    assert response.status_code == 422
    assert response.context["form"].errors["date_of_birth"] == [message]


@pytest.mark.parametrize(("born", "message"), [(_tomorrow, FUTURE), (_too_old, TOO_OLD)])
def test_public_booking_page(client, clinic, born, message):
    doctor, kind, start = clinic
    when = start.isoformat().replace("+", "%2B")
    details = {
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": born(),
        "consent": "on",
    }

    response = client.post(
        f"/portal/book/?type={kind.pk}&practitioner={doctor.pk}&start={when}", details
    )

    assert response.status_code == 422
    assert response.context["form"].errors["date_of_birth"] == [message]


@pytest.mark.parametrize(("born", "message"), [(_tomorrow, FUTURE), (_too_old, TOO_OLD)])
def test_booking_api(client, clinic, born, message):
    doctor, kind, start = clinic
    payload = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": start.isoformat(),
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": born(),
        "consent": True,
    }

    response = client.post("/api/v1/bookings", payload, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "date_of_birth", "message": message}]


@pytest.mark.parametrize(("born", "message"), [(_tomorrow, FUTURE), (_too_old, TOO_OLD)])
def test_intake_about_step(client, born, message):
    intake = make_intake()
    data = {**intake_sections()["about"], "date_of_birth": born()}

    response = client.post(reverse("intake:step", args=[intake_token(intake), "about"]), data)

    assert response.status_code == 400
    assert response.context["form"].errors["date_of_birth"] == [message]
