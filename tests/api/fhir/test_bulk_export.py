"""FHIR Bulk Data $export: kick-off, status, files, cancel, refusals and the access log."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.audit.models import AccessLog, Action
from sotclinic.fhir.models import BulkExport, Status
from sotclinic.fhir.services import delete_expired_exports, export_storage, run_bulk_export
from tests.factories import make_patient

from .conftest import make_token
from .validation import validated

ASYNC = {"Prefer": "respond-async"}


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return settings.EXPORTS_ROOT


@pytest.fixture(autouse=True)
def _run_tasks(django_capture_on_commit_callbacks):
    """The worker's hand-over waits for the commit; here the test's transaction never commits,
    so the callbacks run when the request is done (the task runs at once: TASKS_SYNC)."""
    global _CAPTURE
    _CAPTURE = django_capture_on_commit_callbacks


_CAPTURE = None


def _kick_off(client, token, path="$export", headers=ASYNC, **params):
    auth = {"Authorization": f"Bearer {token.token}"} if token else {}
    with _CAPTURE(execute=True):
        return client.get(f"/fhir/R4/{path}", params, headers={**auth, **headers})


def _get(client, url, token, method="get"):
    return getattr(client, method)(url, headers={"Authorization": f"Bearer {token.token}"})


def _lines(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines()]


def test_system_export_writes_one_valid_ndjson_file_per_type(client, chart, system_token):
    started = _kick_off(client, system_token)

    assert started.status_code == 202
    status = _get(client, started["Content-Location"], system_token)
    assert status.status_code == 200
    manifest = status.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith("/fhir/R4/$export")
    assert [o["type"] for o in manifest["output"]][:2] == ["Patient", "Practitioner"]
    for output in manifest["output"]:
        file = _get(client, output["url"], system_token)
        assert file.status_code == 200 and file["Content-Type"] == "application/fhir+ndjson"
        lines = _lines(file)
        assert len(lines) == output["count"] > 0
        assert {validated(line).get_resource_type() for line in lines} == {output["type"]}


def test_patient_export_takes_types_and_one_patients_compartment(client, chart, system_token):
    started = _kick_off(
        client,
        system_token,
        f"Patient/{chart.other.pk}/$export",
        _type="Patient,Appointment",
        _outputFormat="ndjson",
    )

    manifest = _get(client, started["Content-Location"], system_token).json()
    assert [(o["type"], o["count"]) for o in manifest["output"]] == [
        ("Patient", 1),
        ("Appointment", 1),
    ]
    patients = _lines(_get(client, manifest["output"][0]["url"], system_token))
    assert patients[0]["id"] == str(chart.other.pk)


def test_patients_export_serves_only_the_compartment_types(client, chart, system_token):
    refused = _kick_off(client, system_token, "Patient/$export", _type="Practitioner")
    started = _kick_off(client, system_token, "Patient/$export")

    assert refused.status_code == 400
    manifest = _get(client, started["Content-Location"], system_token).json()
    assert "Practitioner" not in {o["type"] for o in manifest["output"]}
    assert {o["type"] for o in manifest["output"]} >= {"Patient", "Encounter", "Observation"}


@pytest.mark.parametrize(
    ("headers", "params", "says"),
    [
        ({}, {}, "Prefer: respond-async"),
        (ASYNC, {"_type": "Patient,Invoice"}, "'Invoice'"),
        (ASYNC, {"_type": ","}, "_type"),
        (ASYNC, {"_outputFormat": "application/json"}, "_outputFormat"),
        (ASYNC, {"_since": "2024-01-01T00:00:00Z"}, "_since"),
        (ASYNC, {"_typeFilter": "Patient?gender=female"}, "_typeFilter"),
    ],
)
def test_a_kick_off_that_cannot_be_served_is_refused(client, system_token, headers, params, says):
    response = _kick_off(client, system_token, headers=headers, **params)

    assert response.status_code == 400
    assert says in response.json()["issue"][0]["diagnostics"]
    assert not BulkExport.objects.exists()


def test_no_token_gets_401_and_narrow_scopes_403(client, db):
    narrow = make_token("system/Patient.read")

    assert _kick_off(client, None).status_code == 401
    assert _kick_off(client, narrow).status_code == 403
    assert _kick_off(client, narrow, _type="Patient").status_code == 202


def test_an_unknown_patient_is_404(client, db, system_token):
    assert _kick_off(client, system_token, "Patient/999999/$export").status_code == 404


def test_another_client_cannot_see_the_status_or_the_files(client, chart, system_token):
    other = make_token("system/*.read", name="Someone else")
    status_url = _kick_off(client, system_token, _type="Patient")["Content-Location"]
    file_url = _get(client, status_url, system_token).json()["output"][0]["url"]

    assert _get(client, status_url, other).status_code == 404
    assert _get(client, file_url, other).status_code == 404
    assert _get(client, status_url, other, "delete").status_code == 404
    assert client.get(file_url).status_code == 401
    assert _get(client, file_url.replace("Patient", "Location"), system_token).status_code == 404


def test_a_running_job_answers_202_with_progress(client, db, system_token):
    job = BulkExport.objects.create(
        client_id=system_token.application.client_id,
        types=["Patient"],
        request_url="x",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )

    response = _get(client, f"/fhir/R4/$export-status/{job.pk}", system_token)

    assert response.status_code == 202 and response["X-Progress"] == "queued"


def test_a_cancelled_job_is_gone_with_its_files(client, chart, system_token, exports_root):
    status_url = _kick_off(client, system_token)["Content-Location"]
    job = BulkExport.objects.get()
    assert (exports_root / job.folder / "Patient.ndjson").exists()

    assert _get(client, status_url, system_token, "delete").status_code == 202

    assert not BulkExport.objects.exists()
    assert not (exports_root / job.folder).exists()
    assert _get(client, status_url, system_token).status_code == 404


def test_a_job_deleted_before_the_worker_runs_it_writes_nothing(db, exports_root):
    job = BulkExport.objects.create(
        client_id="c", types=["Patient"], request_url="x", expires_at=timezone.now()
    )
    job_id = str(job.pk)
    job.delete()

    run_bulk_export(job_id)

    assert not exports_root.exists()


def test_a_failed_job_answers_500_with_the_reason(client, chart, system_token, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.EXPORTS_ROOT = blocker

    status_url = _kick_off(client, system_token)["Content-Location"]
    response = _get(client, status_url, system_token)

    assert response.status_code == 500
    assert response.json()["issue"][0]["diagnostics"].startswith("The export failed")
    assert BulkExport.objects.get().status == Status.FAILED


def test_each_download_is_in_the_access_log_per_patient(client, chart, system_token):
    status_url = _kick_off(client, system_token, _type="Patient,Location")["Content-Location"]
    outputs = _get(client, status_url, system_token).json()["output"]
    before = AccessLog.objects.count()

    for output in outputs:
        _get(client, output["url"], system_token)

    rows = list(AccessLog.objects.order_by("id")[before:])
    client_name = f"Lab link ({system_token.application.client_id})"
    assert {(r.patient_id, r.action, r.client) for r in rows} == {
        (chart.patient.pk, Action.FHIR_READ, client_name),
        (chart.other.pk, Action.FHIR_READ, client_name),
        (None, Action.FHIR_READ, client_name),
    }


def test_expired_jobs_and_their_files_are_deleted(client, chart, system_token, settings):
    _kick_off(client, system_token, _type="Patient")
    job = BulkExport.objects.get()
    folder = export_storage().path(job.folder)
    BulkExport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert delete_expired_exports() == 1

    assert not BulkExport.objects.exists()
    assert not Path(folder).exists()


def test_an_expired_job_is_gone_before_the_worker_deletes_it(client, chart, system_token):
    started = _kick_off(client, system_token, _type="Patient")
    status = _get(client, started["Content-Location"], system_token)
    file_url = status.json()["output"][0]["url"]
    BulkExport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert _get(client, started["Content-Location"], system_token).status_code == 404
    assert _get(client, file_url, system_token).status_code == 404
    assert _get(client, started["Content-Location"], system_token, "delete").status_code == 404


def _export_queries(client, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        _kick_off(client, token)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(client, chart, system_token, settings):
    settings.EXPORT_BATCH_SIZE = 1000
    few = _export_queries(client, system_token)
    for n in range(6):
        make_patient(first_name=f"Extra{n}")

    many = _export_queries(client, system_token)

    assert many == few
