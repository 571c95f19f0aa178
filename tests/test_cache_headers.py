"""No page is kept in a browser's or a proxy's cache: every URL, as every role, says no-store."""

import datetime as dt
import re

import pytest
from django.urls import get_resolver
from django.urls.resolvers import URLResolver
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.services import intake_token
from sotclinic.messaging.services import queue_email
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
    make_visit,
)

pytestmark = pytest.mark.django_db

# Views that choose their own caching: a practitioner's calendar feed is polled by calendar apps.
OWN_CACHE_CONTROL = {"calendar/<str:token>.ics"}
CLINICAL_PAGES = ["chart", "visit", "detail", "patient_intakes", "patient", "patient_log"]


def _patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) != "admin/":
                yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


@pytest.fixture
def clinic():
    location = make_location()
    doctor = make_open_practitioner(location)
    patient = make_patient()
    appointment = make_appointment(doctor, timezone.now() + dt.timedelta(days=1), patient=patient)
    visit = make_visit(doctor, patient=patient)
    intake = make_complete_intake(patient)
    return {
        "patient_id": patient.pk,
        "appointment_id": appointment.pk,
        "pk": appointment.pk,
        "visit_id": visit.pk,
        "token": intake_token(intake),
        "step": "about",
        "instrument_id": "nprs",
        "path": "missing.jpg",
        "precaution_id": intake.precautions.first().pk,
        "message_id": queue_email(to=patient.email, subject="s", body="b", patient=patient).pk,
        "doctor": doctor,
        # Pages of rows this clinic lacks answer 404, which must not be stored either.
        "template_id": 999999,
        "plan_id": 999999,
        "draft_id": 999999,
        "entry_id": 999999,
        "membership_id": 999999,
        "kind": "receipt",
        # The FHIR API (a bearer token, or 401; either way never stored).
        "resource_type": "Patient",
        "resource_id": patient.pk,
        "document_id": 999999,
        "request_id": 999999,
        "signature_id": 999999,
        "consent_id": 999999,
        "letter_id": 999999,
        "upload_id": 999999,
        # Export jobs and record downloads are named by uuid.
        "job_id": "00000000-0000-4000-8000-000000000000",
        "download_id": "00000000-0000-4000-8000-000000000000",
    }


def _urls(clinic):
    for route, name in _patterns():
        if route in OWN_CACHE_CONTROL:
            continue
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(clinic[m.group(1)]), route)
        yield url, name
    yield "/admin/", "admin"
    yield f"/admin/patients/patient/{clinic['patient_id']}/change/", "admin_patient"


@pytest.mark.parametrize("role", [None, Role.PATIENT, Role.FRONT_DESK, Role.PRACTITIONER])
def test_every_page_is_sent_with_no_store_whoever_asks(client, clinic, role):
    if role == Role.PRACTITIONER:
        client.force_login(clinic["doctor"].user)
        clinic["doctor"].user.__class__.objects.filter(pk=clinic["doctor"].user.pk).update(
            is_staff=True, is_superuser=True
        )
    elif role is not None:
        client.force_login(make_user(role))
    stored, opened = [], set()

    for url, name in _urls(clinic):
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append((url, response.status_code, response.get("Cache-Control")))
        if response.status_code == 200:
            opened.add(name)

    assert stored == []
    if role == Role.PRACTITIONER:
        assert set(CLINICAL_PAGES) <= opened
        assert {"admin", "admin_patient"} <= opened


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, clinic):
    doctor = clinic["doctor"]
    doctor.calendar_feed_token = "t" * 32
    doctor.save()

    response = client.get(f"/calendar/{'t' * 32}.ics")

    assert response["Cache-Control"] == "private, max-age=300"
