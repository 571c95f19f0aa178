"""The day list (staff home) runs the same queries for a handful of appointments or ten times
as many, and links each appointment to its patient, chart and visit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from tests.factories import (
    make_appointment,
    make_location,
    make_practitioner,
    make_user,
    make_visit,
)

pytestmark = pytest.mark.django_db


def _book_today(practitioners, count):
    today = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    booked = []
    for n in range(count):
        doctor = practitioners[n % len(practitioners)]
        start = today + dt.timedelta(minutes=30 * (n // len(practitioners)) + 30 * count)
        booked.append(make_appointment(doctor, start))
    return booked


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


def test_day_list_queries_do_not_grow_with_the_appointments(client):
    location = make_location(time_zone="UTC")
    doctors = [make_practitioner(location) for _ in range(2)]
    client.force_login(doctors[0].user)
    _book_today(doctors, 2)
    few = _queries(client)

    _book_today(doctors, 20)
    many = _queries(client)

    # The signed-in floor, then locations, practitioners, appointments with their visits
    # and earlier findings, and open flags: the same for 4 or 24 appointments.
    assert few == many == 7


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, which keeps no stats")
def test_day_list_reads_the_locations_day_through_its_index(client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    client.force_login(doctor.user)
    _book_today([doctor], 2)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    [day] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "scheduling_appointment"')]
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {day}"))

    assert "appointment_location_start" in plan


def test_day_list_links_each_appointment_to_its_patient_chart_and_visit(client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    client.force_login(doctor.user)
    [seen, waiting] = _book_today([doctor], 2)
    visit = make_visit(appointment=seen)

    html = client.get(reverse("home")).content.decode()

    for appointment in (seen, waiting):
        assert f'href="{reverse("patients:detail", args=[appointment.patient_id])}"' in html
        assert f'href="{reverse("charting:chart", args=[appointment.patient_id])}"' in html
    assert f'href="{reverse("charting:visit", args=[visit.pk])}"' in html
    assert f'action="{reverse("charting:start_visit", args=[waiting.pk])}"' in html


def test_front_desk_day_list_links_patients_without_clinical_links(client):
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    client.force_login(make_user(Role.FRONT_DESK))
    [appointment] = _book_today([doctor], 1)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("patients:detail", args=[appointment.patient_id])}"' in html
    assert reverse("charting:chart", args=[appointment.patient_id]) not in html
