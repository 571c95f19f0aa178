"""A NUL byte in any input is refused with a 4xx, nothing is saved, and it is not logged.

Matters most on PostgreSQL, which cannot store a NUL in a text or JSON column: there it
used to end in a 500 whose log carried the exam text."""

import json
import logging

import pytest
from django.utils import timezone

from sotclinic.charting.models import Note
from sotclinic.patients.models import Patient
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_practitioner,
    make_visit,
)

pytestmark = pytest.mark.django_db

SECRET = "patient reports jaw clicking"


@pytest.fixture
def doctor():
    return make_practitioner(make_location())


@pytest.mark.parametrize(
    "fields",
    [
        {
            "exam-cranial-0-name": "Temporomandibular joint (TMJ)",
            "exam-cranial-0-side": "left",
            "exam-cranial-0-response": f"{SECRET}\x00",
        },
        {
            "exam-cmrt-0-line": "1",
            "exam-cmrt-0-position": "4",
            "exam-cmrt-0-side": "left",
            "exam-cmrt-0-area": f"{SECRET}\x00",
        },
        {"complaints": f"{SECRET}\x00"},
        {f"{SECRET}\x00": "x"},
    ],
    ids=["cranial-response", "cmrt-area", "note-text", "field-name"],
)
def test_visit_save_with_a_nul_byte_is_refused_unsaved_and_unlogged(client, doctor, caplog, fields):
    visit = make_visit(doctor)
    client.force_login(doctor.user)
    data = {"version": visit.note.version, "action": "save", **fields}

    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/staff/visits/{visit.pk}/", data)

    assert response.status_code == 400
    assert "NUL" in response.text
    note = Note.objects.select_related("exam").get(pk=visit.note.pk)
    assert note.version == visit.note.version
    assert SECRET not in json.dumps(note.exam.state)
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    "path", ["/exam/new", "/exam/analyze?prefix=exam", "/exam/settings", "/staff/clinic-page/"]
)
def test_hand_parsed_forms_refuse_a_nul_byte(client, doctor, path):
    client.force_login(doctor.user)

    response = client.post(path, {"exam-cranial-0-response": "a\x00b", "x": "\x00"})

    assert response.status_code == 400


def test_query_string_with_a_nul_byte_is_refused(client, doctor):
    client.force_login(doctor.user)

    response = client.get("/staff/diagnosis-codes/?q=back%00pain")

    assert response.status_code == 400


def test_api_booking_with_a_nul_byte_is_refused_and_creates_no_patient(client):
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    start = (timezone.now() + timezone.timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    body = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": start.isoformat(),
        "first_name": "Olivia\u0000",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": "1985-03-04",
        "consent": True,
    }

    response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "first_name"
    assert not Patient.objects.exists()


def test_sot_analysis_refuses_a_nul_byte_in_the_findings(client, doctor):
    client.force_login(doctor.user)
    body = {"indicators": [{"code": "arm_fossa_test\u0000", "side": "left"}]}

    response = client.post("/api/v1/sot/analyze", json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
