"""An independent FHIR client (fhirpy) reads every resource type from a live server over real
HTTP, with a token it got from the token endpoint by the client-credentials grant."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from fhirpy import SyncFHIRClient
from oauth2_provider.models import Application

from sotclinic.api.models import ApplicationScopes
from sotclinic.audit.models import AccessLog, Action

from .test_endpoints import TYPES
from .validation import validated

SECRET = "integrator-secret-only-for-this-test"


def _client_credentials_token(base: str, application: Application, scope: str) -> dict:
    basic = base64.b64encode(f"{application.client_id}:{SECRET}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/o/token/",
        data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope}).encode(),
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def integrator(transactional_db):
    application = Application.objects.create(
        name="Regional registry",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,
    )
    ApplicationScopes.objects.create(application=application, scopes="system/*.read")
    return application


@pytest.mark.django_db(transaction=True)
def test_fhirpy_reads_every_type_with_a_client_credentials_token(live_server, chart, integrator):
    issued = _client_credentials_token(live_server.url, integrator, "system/*.read")
    assert issued["token_type"] == "Bearer" and issued["scope"] == "system/*.read"
    fhir = SyncFHIRClient(
        f"{live_server.url}/fhir/R4", authorization=f"Bearer {issued['access_token']}"
    )
    before = AccessLog.objects.count()

    for resource_type in TYPES:
        # Two per page, so the client follows the Bundle's next links to the end.
        found = fhir.resources(resource_type).limit(2).fetch_all()
        assert found, resource_type
        for resource in found:
            validated(resource.serialize())
        again = fhir.reference(resource_type, found[-1]["id"]).to_resource()
        assert again.serialize() == found[-1].serialize()

    mine = fhir.resources("Observation").search(patient=f"Patient/{chart.patient.pk}").fetch_all()
    assert {o["subject"]["reference"] for o in mine} == {f"Patient/{chart.patient.pk}"}
    rows = AccessLog.objects.order_by("id")[before:]
    assert {row.client for row in rows} == {f"Regional registry ({integrator.client_id})"}
    assert {row.action for row in rows} == {Action.FHIR_READ}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scope", ["", "patient/*.read"])
def test_the_token_endpoint_grants_no_token_without_a_known_scope(live_server, integrator, scope):
    with pytest.raises(urllib.error.HTTPError) as refused:
        _client_credentials_token(live_server.url, integrator, scope)

    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"] == "invalid_scope"


@pytest.mark.django_db(transaction=True)
def test_a_wrong_client_secret_gets_no_token(live_server, integrator):
    basic = base64.b64encode(f"{integrator.client_id}:wrong".encode()).decode()
    request = urllib.request.Request(
        f"{live_server.url}/o/token/",
        data=b"grant_type=client_credentials&scope=system%2F*.read",
        headers={"Authorization": f"Basic {basic}"},
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)

    assert refused.value.code == 401
