"""Each OAuth application gets only the scopes the clinic allowed it (RFC 6749 §3.3): asking
for any other is refused with ``invalid_scope``, at the token endpoint (client credentials)
and at the authorization endpoint (authorization code)."""

import json
import re
import urllib.error
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from oauth2_provider.models import Application
from oauth2_provider.scopes import get_scopes_backend

from sotclinic.accounts.models import Role
from sotclinic.api.fhir.scopes import SCOPE_DESCRIPTIONS
from sotclinic.api.models import ApplicationScopes
from tests.factories import make_user

from .conftest import make_token
from .test_authorization_code import REDIRECT, _token_for
from .test_authorization_code import SECRET as APP_SECRET
from .test_live_server import SECRET, _client_credentials_token


def _server(scopes: str | None) -> Application:
    application = Application.objects.create(
        name="Registry",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,
    )
    if scopes is not None:
        ApplicationScopes.objects.create(application=application, scopes=scopes)
    return application


def _refusal(base: str, application: Application, scope: str) -> str:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _client_credentials_token(base, application, scope)
    assert refused.value.code == 400
    return json.loads(refused.value.read())["error"]


@pytest.mark.django_db(transaction=True)
def test_client_credentials_get_only_the_allowed_scopes(live_server):
    registry = _server("system/Patient.read system/Appointment.read")

    issued = _client_credentials_token(live_server.url, registry, "system/Patient.read")

    assert issued["scope"] == "system/Patient.read"
    for scope in ("system/*.read", "system/Patient.read system/Encounter.read", "user/*.read"):
        assert _refusal(live_server.url, registry, scope) == "invalid_scope", scope


@pytest.mark.django_db(transaction=True)
def test_a_star_scope_allows_each_type_and_the_star_itself(live_server):
    registry = _server("system/*.read")

    one = _client_credentials_token(live_server.url, registry, "system/Encounter.read")
    every = _client_credentials_token(live_server.url, registry, "system/*.read")

    assert (one["scope"], every["scope"]) == ("system/Encounter.read", "system/*.read")
    assert _refusal(live_server.url, registry, "user/Patient.read") == "invalid_scope"


@pytest.mark.django_db(transaction=True)
def test_an_application_without_allowed_scopes_gets_no_token(live_server):
    registry = _server(None)

    assert _refusal(live_server.url, registry, "system/Patient.read") == "invalid_scope"


@pytest.fixture
def tablet(db):
    application = Application.objects.create(
        name="Front-desk tablet",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        client_secret=APP_SECRET,
    )
    ApplicationScopes.objects.create(application=application, scopes="user/Appointment.read")
    return application


def test_the_authorization_endpoint_refuses_a_scope_the_app_is_not_allowed(client, tablet):
    client.force_login(make_user(Role.PRACTITIONER))

    answer = client.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": tablet.client_id,
            "redirect_uri": REDIRECT,
            "scope": "user/*.read",
            "state": "xyz",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
    )

    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT)
    assert parse_qs(urlparse(answer["Location"]).query)["error"] == ["invalid_scope"]


def test_the_authorization_code_grant_gives_an_allowed_scope(client, tablet, chart):
    token = _token_for(client, chart.practitioner.user, tablet, "user/Appointment.read")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}

    assert token["scope"] == "user/Appointment.read"
    assert client.get("/fhir/R4/Appointment", headers=bearer).status_code == 200
    assert client.get("/fhir/R4/Patient", headers=bearer).status_code == 403


def test_narrowing_an_application_applies_to_the_tokens_it_holds(client, chart):
    token = make_token("system/*.read")
    bearer = {"Authorization": f"Bearer {token.token}"}
    assert client.get("/fhir/R4/Encounter", headers=bearer).status_code == 200

    ApplicationScopes.objects.filter(application=token.application).update(
        scopes="system/Patient.read"
    )

    assert client.get("/fhir/R4/Encounter", headers=bearer).status_code == 403
    assert client.get("/fhir/R4/Patient", headers=bearer).status_code == 200


def test_the_server_metadata_lists_every_scope():
    assert set(get_scopes_backend().get_available_scopes()) == set(SCOPE_DESCRIPTIONS)


def test_the_administrator_ticks_the_allowed_scopes_in_the_back_office(client, db):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))
    form = {
        "name": "Lab",
        "client_id": "lab-client",
        "client_secret": "lab-secret-long-enough-for-the-form",
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
        "algorithm": "",
        "hash_client_secret": "on",
        "fhir_scopes-TOTAL_FORMS": "1",
        "fhir_scopes-INITIAL_FORMS": "0",
        "fhir_scopes-MIN_NUM_FORMS": "1",
        "fhir_scopes-MAX_NUM_FORMS": "1",
        "fhir_scopes-0-scopes": ["system/Patient.read", "system/Location.read"],
    }

    added = client.post("/admin/oauth2_provider/application/add/", form)

    assert added.status_code == 302, added.content.decode()[:3000]
    application = Application.objects.get(client_id="lab-client")
    assert application.fhir_scopes.scopes == "system/Location.read system/Patient.read"
    page = client.get(f"/admin/oauth2_provider/application/{application.pk}/change/")
    ticked = re.findall(r'value="(\w+/[^"]+)"[^>]*checked', page.text)
    assert ticked == ["system/Patient.read", "system/Location.read"]


def test_the_administrator_cannot_tick_an_unknown_scope(client, db):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))

    added = client.post(
        "/admin/oauth2_provider/application/add/",
        {
            "name": "Lab",
            "client_id": "lab-client",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "fhir_scopes-TOTAL_FORMS": "1",
            "fhir_scopes-INITIAL_FORMS": "0",
            "fhir_scopes-MIN_NUM_FORMS": "1",
            "fhir_scopes-MAX_NUM_FORMS": "1",
            "fhir_scopes-0-scopes": ["system/*.write"],
        },
    )

    assert added.status_code == 200
    assert not Application.objects.filter(client_id="lab-client").exists()


@pytest.mark.django_db(transaction=True)
def test_applications_registered_before_the_limits_keep_every_scope():
    executor = MigrationExecutor(connection)
    executor.migrate([("api", None)])
    old = executor.loader.project_state(executor.loader.graph.leaf_nodes("oauth2_provider")).apps
    old.get_model("oauth2_provider", "Application").objects.create(
        name="Old link",
        client_id="old-link",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    old_link = Application.objects.get(client_id="old-link")
    assert old_link.fhir_scopes.scopes == "system/*.read user/*.read"
    assert set(get_scopes_backend().get_available_scopes(old_link)) == set(SCOPE_DESCRIPTIONS)
