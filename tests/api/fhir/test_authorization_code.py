"""A staff app gets a token by the authorization-code grant (with PKCE): the signed-in staff
member allows it, and the app then reads what that person's role may see."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from oauth2_provider.models import Application

from sotclinic.accounts.models import Role
from sotclinic.api.models import ApplicationScopes
from tests.factories import make_user

REDIRECT = "https://tablet.example/callback"
SECRET = "staff-app-secret-only-for-this-test"


@pytest.fixture
def staff_app(db):
    application = Application.objects.create(
        name="Treatment-room tablet",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        client_secret=SECRET,
    )
    ApplicationScopes.objects.create(application=application, scopes="user/*.read")
    return application


def _token_for(client, user, app, scope: str) -> dict:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    client.force_login(user)
    asked = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    form = client.get("/o/authorize/", asked)
    assert form.status_code == 200
    allowed = client.post("/o/authorize/", {**asked, "allow": "Authorize"})
    assert allowed.status_code == 302, allowed.content
    code = parse_qs(urlparse(allowed["Location"]).query)["code"][0]
    client.logout()
    issued = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "client_secret": SECRET,
            "code_verifier": verifier,
        },
    )
    assert issued.status_code == 200, issued.content
    return issued.json()


def test_a_practitioner_allows_the_staff_app_which_then_reads_the_chart(client, chart, staff_app):
    token = _token_for(client, chart.practitioner.user, staff_app, "user/*.read")

    response = client.get(
        "/fhir/R4/Observation",
        {"patient": chart.patient.pk},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )

    assert token["scope"] == "user/*.read"
    assert response.status_code == 200
    assert response.json()["total"] > 0


def test_the_front_desks_token_reads_appointments_but_no_clinical_records(client, chart, staff_app):
    token = _token_for(client, make_user(Role.FRONT_DESK), staff_app, "user/*.read")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}

    assert client.get("/fhir/R4/Appointment", headers=bearer).status_code == 200
    assert client.get("/fhir/R4/Encounter", headers=bearer).status_code == 403


def test_session_cookies_do_not_open_the_fhir_api(client, chart):
    client.force_login(chart.practitioner.user)

    assert client.get("/fhir/R4/Patient").status_code == 401


def test_the_clinics_administrator_registers_an_application_in_the_back_office(client, db):
    admin = make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True)
    client.force_login(admin)

    page = client.get("/admin/oauth2_provider/application/add/")

    assert page.status_code == 200
    assert "client_secret" in page.text and "authorization_grant_type" in page.text
