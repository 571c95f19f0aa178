"""The booking API: types, practitioners, slots, bookings, and its 4xx answers."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    location = make_location()
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz)
    return location, doctor, kind, start


def _booking(kind, doctor, when, **changes):
    body = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk if doctor else None,
        "start": when.isoformat(),
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": "1985-03-04",
        "consent": True,
    }
    return {**body, **changes}


def test_lists_types_and_practitioners(client, clinic):
    _, doctor, kind, _ = clinic

    types = client.get("/api/v1/appointment-types").json()
    people = client.get("/api/v1/practitioners").json()

    assert types == [
        {
            "id": kind.pk,
            "name": "New-patient exam",
            "duration_minutes": 45,
            "new_patients_may_book_online": True,
            "practitioners": [doctor.pk],
        }
    ]
    assert people[0]["display_name"] == "Dr. Anna Weber"
    assert people[0]["appointment_types"] == [kind.pk]


def test_slots_lists_free_times(client, clinic):
    _, doctor, kind, start = clinic

    response = client.get(
        "/api/v1/slots",
        {"appointment_type": kind.pk, "practitioner": doctor.pk, "start": start.date(), "days": 2},
    )

    assert response.status_code == 200
    starts = [dt.datetime.fromisoformat(s["start"]) for s in response.json()]
    assert start in starts
    assert all(s["practitioner"] == doctor.pk for s in response.json())


def test_slots_for_unknown_type_is_422(client, clinic):
    response = client.get("/api/v1/slots", {"appointment_type": 999999, "start": "2030-01-01"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "appointment_type"


def test_slots_days_are_bounded(client, clinic):
    _, _, kind, start = clinic

    response = client.get(
        "/api/v1/slots", {"appointment_type": kind.pk, "start": start.date(), "days": 500}
    )

    assert response.status_code == 422


def test_booking_returns_201_with_a_manage_link_and_sends_the_invite(client, clinic):
    _, doctor, kind, start = clinic

    response = client.post("/api/v1/bookings", _booking(kind, doctor, start), "application/json")

    assert response.status_code == 201
    body = response.json()
    assert dt.datetime.fromisoformat(body["start"]) == start
    assert "/portal/booking/" in body["manage_url"]
    assert Appointment.objects.get().booked_online
    assert "BEGIN:VCALENDAR" in str(mail.outbox[0].attachments[0][1])


def test_booking_the_same_slot_twice_is_409(client, clinic):
    _, doctor, kind, start = clinic
    client.post("/api/v1/bookings", _booking(kind, doctor, start), "application/json")

    response = client.post(
        "/api/v1/bookings", _booking(kind, None, start, email="b@example.com"), "application/json"
    )

    assert response.status_code == 409
    assert "just booked" in response.json()["detail"]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"consent": False}, "consent"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"start": "2030-01-01T10:00:00"}, "start"),  # no time zone
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_fields_are_422_and_nothing_is_written(client, clinic, changes, field):
    _, doctor, kind, start = clinic

    response = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start, **changes), "application/json"
    )

    assert response.status_code == 422
    assert field in {e["field"].split(".")[-1] for e in response.json()["errors"]}
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 0


def test_past_time_unknown_type_and_outside_hours_are_422(client, clinic):
    _, doctor, kind, start = clinic
    cases = [
        _booking(kind, doctor, start - dt.timedelta(days=3)),
        _booking(kind, doctor, start, appointment_type=999999),
        _booking(kind, doctor, start + dt.timedelta(hours=10)),
        _booking(kind, doctor, start + dt.timedelta(minutes=7)),  # off the step
    ]

    statuses = [client.post("/api/v1/bookings", c, "application/json").status_code for c in cases]

    assert statuses == [422, 422, 422, 422]
    assert Appointment.objects.count() == 0


def test_returning_patient_type_answers_alike_for_match_and_no_match(client, clinic):
    location, doctor, _, start = clinic
    follow_up = make_appointment_type([doctor], new_patients_may_book_online=False)
    make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    slots = f"/api/v1/slots?appointment_type={follow_up.pk}&start={start.date()}&days=1"
    before = client.get(slots).json()

    known = client.post(
        "/api/v1/bookings",
        _booking(follow_up, doctor, start, email="known@example.com", date_of_birth="1970-05-06"),
        "application/json",
    )
    after_known = client.get(slots).json()
    unknown = client.post(
        "/api/v1/bookings",
        _booking(follow_up, doctor, start, email="new@example.com"),
        "application/json",
    )
    after_unknown = client.get(slots).json()

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert before == after_known == after_unknown
    assert start.isoformat() in {slot["start"] for slot in before}
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 1
    assert {m.to[0] for m in mail.outbox} == {"known@example.com", "new@example.com"}


def test_booking_is_rate_limited_per_address(client, clinic, settings):
    _, doctor, kind, start = clinic
    settings.BOOKING_RATE_LIMIT = 2
    bad = _booking(kind, doctor, start - dt.timedelta(days=3))

    statuses = [
        client.post(
            "/api/v1/bookings", bad, "application/json", REMOTE_ADDR="203.0.113.9"
        ).status_code
        for _ in range(3)
    ]
    other = client.post("/api/v1/bookings", bad, "application/json", REMOTE_ADDR="203.0.113.10")

    assert statuses == [422, 422, 429]
    assert other.status_code == 422


def test_openapi_lists_the_booking_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/appointment-types", "/api/v1/practitioners", "/api/v1/slots"} <= set(paths)
    assert "/api/v1/bookings" in paths


@pytest.mark.parametrize("body", ["{not json", "\x00", b"\xff\xfe", "[" * 100_000])
def test_booking_body_that_is_not_json_is_422_naming_the_body(client, clinic, body):
    response = client.post("/api/v1/bookings", body, "application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body", "message": response.json()["errors"][0]["message"]}
    ]
    assert "valid JSON" in response.json()["detail"]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone"])
def test_control_characters_in_names_and_phone_are_422_and_nothing_is_written(
    client, clinic, field
):
    _, doctor, kind, start = clinic
    # PostgreSQL cannot store NUL; this was a 500 there.
    changes = {field: "Ol\x00ivia +44 117 496 0001", "email": "olivia@example.com"}

    response = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start, **changes), "application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": field, "message": "must not contain control characters"}
    ]
    assert Patient.objects.count() == 0


def test_field_errors_name_the_field_as_the_client_sent_it(client, clinic):
    _, doctor, kind, start = clinic

    response = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start, email="nope"), "application/json"
    )

    assert response.json() == {
        "detail": "email: enter a valid e-mail address",
        "errors": [{"field": "email", "message": "enter a valid e-mail address"}],
    }


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:30:00+01:00", "9999-12-31T22:00:00Z", "9999-12-31T23:30:00-01:00"]
)
def test_booking_at_the_edge_of_the_calendar_is_422_not_500(client, clinic, when):
    _, doctor, kind, start = clinic

    response = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start, start=when), "application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "start", "message": "pick a date within ten years of today"}
    ]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_slots_at_the_edge_of_the_calendar_are_422_not_500(client, clinic, day):
    _, doctor, kind, _ = clinic

    response = client.get(
        "/api/v1/slots",
        {"appointment_type": kind.pk, "practitioner": doctor.pk, "start": day, "days": 31},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "start", "message": "pick a date within ten years of today"}
    ]


@pytest.mark.parametrize("field", ["appointment_type", "practitioner"])
@pytest.mark.parametrize("value", [0, 2**63, 10**40])
def test_ids_outside_the_databases_range_are_422_not_500(client, clinic, field, value):
    _, doctor, kind, start = clinic
    query = {"appointment_type": kind.pk, "practitioner": doctor.pk, "start": start.date()}

    listing = client.get("/api/v1/slots", {**query, field: value})
    booking = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start, **{field: value}), "application/json"
    )

    assert listing.status_code == booking.status_code == 422
    assert listing.json()["errors"][0]["field"] == field
    assert booking.json()["errors"][0]["field"] == field
    assert Appointment.objects.count() == 0
