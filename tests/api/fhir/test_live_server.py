"""An independent FHIR client (fhirpy) reads every resource type from a live server over real
HTTP, with a token it got from the token endpoint by the client-credentials grant."""

import base64
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.management import call_command
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


def _fetch(url: str, token: str, method: str = "GET", **headers):
    request = urllib.request.Request(
        url, method=method, headers={"Authorization": f"Bearer {token}", **headers}
    )
    return urllib.request.urlopen(request, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_bulk_export_of_the_demo_clinic_over_http(live_server, integrator, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    call_command("demo", stdout=io.StringIO())
    token = _client_credentials_token(live_server.url, integrator, "system/*.read")["access_token"]

    with _fetch(f"{live_server.url}/fhir/R4/$export", token, Prefer="respond-async") as kick_off:
        assert kick_off.status == 202
        status_url = kick_off.headers["Content-Location"]
    for _ in range(60):  # the protocol: poll while 202, until 200
        with _fetch(status_url, token) as status:
            if status.status == 200:
                manifest = json.loads(status.read())
                break
            assert status.status == 202 and status.headers["X-Progress"]
        time.sleep(1)
    else:
        pytest.fail("the export did not finish")

    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    exported = {o["type"] for o in manifest["output"]}
    assert exported <= set(TYPES) and {"Patient", "Appointment", "Encounter"} <= exported
    for output in manifest["output"]:
        with _fetch(output["url"], token) as file:
            lines = file.read().decode().splitlines()
        assert len(lines) == output["count"] > 0, output["type"]
        for line in lines:
            assert validated(json.loads(line)).get_resource_type() == output["type"]
    with _fetch(status_url, token, "DELETE") as deleted:
        assert deleted.status == 202
    rows = AccessLog.objects.filter(client=f"Regional registry ({integrator.client_id})")
    assert rows.filter(action=Action.FHIR_READ, patient__isnull=False).exists()
