"""A booking POST runs a fixed number of queries, the same beside a few or ten times as many
patients and appointments, and every booking still leaves its rows: the appointment, its
history and the confirmation in the outbox, and, once the confirmation is written, the
intake it links to."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from sotclinic.intake.models import Intake
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import AppointmentChange
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Before the write: the practitioner's appointments that day (the type, the clinic's settings
# and the opening hours come from the cache; bookings leave them cached), the chosen
# practitioner with its location (one read). Inside it: the patient match, the chosen slot's
# hours (one read), the new patient, the appointment (no savepoint: a new patient's booking
# that finds the time taken rolls back whole), its history (a new patient has no waitlist
# wishes to close), the message to be written. After it the test settings' synchronous task
# queue sends the message in the same request: the claim, then its writing in a transaction
# of its own (the settings, the patient, the place, the intake read and made, the type, the
# practitioner, the text kept), then the sending (20 more).
BOOKING_QUERIES = 31
# With the database as the task queue and no synchronous run (production): the same
# statements up to the message, then the worker's queue row in the same transaction, and the
# one commit (BEGIN and COMMIT are counted). The e-mail's text, invite and intake link are
# the worker's.
BOOKING_QUERIES_QUEUED = 11


def _fill(doctor, kind, count: int, days_ago: int) -> None:
    """``count`` earlier appointments a day apart from ``days_ago``, each of its own patient."""
    first = timezone.now() - dt.timedelta(days=days_ago)
    for n in range(count):
        make_appointment(doctor, first + dt.timedelta(days=n), kind=kind)


def _book(client, kind, doctor, start, n: int) -> list[str]:
    body = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": start.isoformat(),
        "first_name": "Olivia",
        "last_name": f"Booker{n}",
        "email": f"booker{n}@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": "1985-03-04",
        "consent": True,
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/bookings", body, "application/json")
    assert response.status_code == 201, response.content
    return [query["sql"] for query in queries.captured_queries]


def test_booking_post_queries_are_fixed_and_do_not_grow_with_the_practice(client):
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz)
    _fill(doctor, kind, 3, days_ago=100)
    _book(client, kind, doctor, start - dt.timedelta(hours=1), 0)  # warm the caches

    few = _book(client, kind, doctor, start, 1)
    _fill(doctor, kind, 30, days_ago=50)
    many = _book(client, kind, doctor, start + dt.timedelta(hours=1), 2)

    assert len(few) == len(many) == BOOKING_QUERIES
    assert AppointmentChange.objects.filter(action="booked").count() == 3
    assert Intake.objects.filter(appointment__isnull=False).count() == 3
    assert Message.objects.filter(kind="booking.confirmation").count() == 3


def test_booking_post_writes_the_task_queue_row_in_its_one_transaction(client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: a worker sends the message
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz)
    _book(client, kind, doctor, start - dt.timedelta(hours=1), 0)  # warm the caches

    queries = _book(client, kind, doctor, start, 1)

    assert len(queries) == BOOKING_QUERIES_QUEUED
    assert [q for q in queries if q.startswith(("COMMIT", "SAVEPOINT"))] == ["COMMIT"]
    assert 'INSERT INTO "django_q_ormq"' in queries[-2]  # before the commit
    assert OrmQ.objects.count() == 2
    assert Message.objects.filter(kind="booking.confirmation", status="pending").count() == 2
