"""A small clinic with one patient's chart in every shape the FHIR API serves, and tokens."""

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from sotclinic.accounts.models import Role
from sotclinic.api.models import ApplicationScopes
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import (
    exam_state,
    make_appointment,
    make_complete_intake,
    make_follow_up_response,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    save_note,
    sign_visit,
)

SEEN = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)


@dataclass
class Chart:
    patient: object
    other: object
    practitioner: object
    location: object
    appointment: object
    no_show: object
    visit: object
    draft: object
    nprs: object
    rmdq: object


@pytest.fixture
def chart(db) -> Chart:
    clinic = ClinicSettings.load()
    clinic.diagnosis_codes = "icd10cm"
    clinic.save()
    location = make_location(time_zone="UTC", address="1 Harbour Street", phone="+441174960000")
    doctor = make_practitioner(location, npi="1234567893", credentials="DC")
    patient = make_patient(
        first_name="Ada",
        last_name="Lovelace",
        gender="female",
        nhs_number="9434765919",
        medical_record_number="MR-0001",
        phone="+441174960100",
        address="2 Quay",
    )
    other = make_patient(first_name="Bob", last_name="Other")
    appointment = make_appointment(doctor, SEEN, patient=patient, status="completed")
    no_show = make_appointment(
        doctor, SEEN + dt.timedelta(days=7), patient=other, status=Appointment.Status.NO_SHOW
    )
    visit = make_visit(appointment=appointment)
    type(visit).objects.filter(pk=visit.pk).update(started_at=SEEN)
    visit.refresh_from_db()
    sign_visit(
        visit,
        pain_score=6,
        exam_state=exam_state(
            ("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left")
        ),
        diagnosis_codes=["M54.50", "M99.04"],
    )
    draft = make_visit(doctor, other, started_at=SEEN + dt.timedelta(days=1))
    save_note(draft, pain_score=3)
    make_complete_intake(patient)
    nprs = make_follow_up_response(patient, "nprs", 4, SEEN + dt.timedelta(days=14))
    rmdq = make_follow_up_response(patient, "rmdq", 5, SEEN + dt.timedelta(days=14))
    return Chart(patient, other, doctor, location, appointment, no_show, visit, draft, nprs, rmdq)


def make_token(scope: str, user=None, name: str = "Lab link") -> AccessToken:
    """A live access token of a registered application, as the token endpoint issues it."""
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=(
            Application.GRANT_AUTHORIZATION_CODE if user else Application.GRANT_CLIENT_CREDENTIALS
        ),
        redirect_uris="https://app.example/callback" if user else "",
    )
    ApplicationScopes.objects.create(application=application, scopes=scope)
    return AccessToken.objects.create(
        application=application,
        user=user,
        token=secrets.token_urlsafe(24),
        scope=scope,
        expires=timezone.now() + dt.timedelta(hours=1),
    )


@pytest.fixture
def fhir(client):
    """GET a FHIR path with a token (or none): ``fhir("Patient", token)``."""

    def get(path: str, token: AccessToken | None = None, **params):
        headers = {"Authorization": f"Bearer {token.token}"} if token else {}
        return client.get(f"/fhir/R4/{path}", params, headers=headers)

    return get


@pytest.fixture
def system_token(db):
    return make_token("system/*.read")


@pytest.fixture
def practitioner_user(db):
    return make_user(Role.PRACTITIONER)
