"""Dates, times and page numbers in the address: a value that cannot be used answers 400 with
a message, on every page that reads one (the sweep over all pages is test_url_sweep.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_practitioner,
    make_user,
    make_visit_history,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    location = make_location()
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    return location, doctor, kind


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31",
        "from=0001-01-01",
        "day=2026-02-30",
        "day=2026-13-45",
        "day=9999-12-31",
        "start=2026-13-45T10:00:00%2B00:00",
        "start=9999-12-31T23:59:59%2B00:00",
        "start=0001-01-01T00:00:00%2B05:00",
        "start=2026-03-02T10:00:00",
    ],
)
def test_public_booking_answers_400_with_a_message_for_a_date_it_cannot_use(client, clinic, query):
    _, _, kind = clinic

    response = client.get(f"/portal/book/?type={kind.pk}&practitioner=any&{query}")

    assert response.status_code == 400
    assert "cannot be used" in response.text
    assert query.split("=")[0] in response.text


def test_public_booking_still_lists_times_from_a_valid_date(client, clinic):
    location, _, kind = clinic
    later = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)

    response = client.get(f"/portal/book/?type={kind.pk}&practitioner=any&from={later}")

    assert response.status_code == 200
    assert later.strftime("%-d") in response.text


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2026-02-30", "tomorrow"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_staff_calendar_answers_400_for_a_date_it_cannot_show(client, clinic, date, view):
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get(f"/staff/calendar/?view={view}&date={date}")

    assert response.status_code == 400
    assert "give a" in response.text


def test_staff_calendar_shows_the_last_week_in_range(client, clinic):
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/calendar/?view=week&date=2199-12-31")

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "two", "1e9"])
def test_chart_answers_400_for_a_page_number_that_is_not_one(client, page):
    doctor = make_practitioner(make_location())
    patient = make_patient()
    client.force_login(doctor.user)

    response = client.get(f"/staff/patients/{patient.pk}/chart/?page={page}")

    assert response.status_code == 400
    assert "page number" in response.text


def test_chart_page_beyond_the_last_shows_the_last_page(client):
    doctor = make_practitioner(make_location())
    patient = make_patient()
    make_visit_history(doctor, patient, 3)
    client.force_login(doctor.user)

    response = client.get(f"/staff/patients/{patient.pk}/chart/?page=500")

    assert response.status_code == 200
    assert response.context["page"] == 1


@pytest.mark.parametrize("path", ["/staff/patients/", "/staff/patients/{pk}/access-log/"])
def test_paged_lists_answer_400_for_a_huge_page_number(client, path):
    doctor = make_practitioner(make_location())
    patient = make_patient()
    client.force_login(doctor.user)

    response = client.get(path.format(pk=patient.pk) + "?page=99999999999999999999")

    assert response.status_code == 400
