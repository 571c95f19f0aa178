"""FHIR Bulk Data ``$export`` (HL7 Bulk Data Access IG v2, the asynchronous request pattern).

- ``GET /fhir/R4/$export`` (every type), ``GET /fhir/R4/Patient/$export`` (every patient's
  compartment), ``GET /fhir/R4/Patient/<id>/$export`` (one patient's): with
  ``Prefer: respond-async``, ``_type`` and ``_outputFormat``; 202 with ``Content-Location``.
- ``GET`` the status URL: 202 with ``X-Progress`` while the worker writes, 200 with the
  manifest when done, 500 with an OperationOutcome when it failed; ``DELETE`` cancels (202).
- ``GET`` a file URL: the NDJSON of one type.

Only the OAuth client that started a job sees it: for any other the job does not exist (404).
Each download writes access-log rows naming the client, one per patient in the file.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sotclinic.fhir.compartment import ALL_TYPES, PATIENT_TYPES
from sotclinic.fhir.models import BulkExport, Status
from sotclinic.fhir.services import (
    client_export,
    delete_bulk_export,
    export_storage,
    start_bulk_export,
)
from sotclinic.patients.selectors import patient_records

from .access import NotAllowed, NotAuthenticated, Reader, reader
from .views import outcome

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = frozenset({NDJSON, "application/ndjson", "ndjson"})
KICK_OFF_PARAMS = frozenset({"_type", "_outputFormat", "_since"})


class BadRequest(ValueError):
    """The kick-off request cannot be served as asked; the message says why (400)."""


def _who(request: HttpRequest) -> tuple[Reader | None, HttpResponse | None]:
    try:
        return reader(request), None
    except NotAuthenticated as error:
        return None, outcome(401, "login", error.message, WWW_Authenticate='Bearer realm="fhir"')


def _types(request: HttpRequest, served: tuple[str, ...]) -> list[str]:
    unknown = sorted(set(request.GET) - KICK_OFF_PARAMS)
    if unknown:
        raise BadRequest(f"$export does not take the parameter {unknown[0]!r}.")
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise BadRequest("$export answers asynchronously only: send Prefer: respond-async.")
    if "_since" in request.GET:
        raise BadRequest("_since is not supported: export everything and compare.")
    output_format = request.GET.get("_outputFormat", NDJSON)
    if output_format not in OUTPUT_FORMATS:
        raise BadRequest(f"_outputFormat {output_format!r} is not supported; use {NDJSON}.")
    if "_type" not in request.GET:
        return list(served)
    asked = [t.strip() for value in request.GET.getlist("_type") for t in value.split(",")]
    asked = [t for t in asked if t]
    wrong = [t for t in asked if t not in served]
    if wrong or not asked:
        raise BadRequest(
            f"_type: {(wrong or [''])[0]!r} is not a type this export serves ({', '.join(served)})."
        )
    return list(dict.fromkeys(asked))


def _kick_off(request: HttpRequest, served: tuple[str, ...], patient_id: int | None = None):
    who, refusal = _who(request)
    if refusal:
        return refusal
    try:
        types = _types(request, served)
        for resource_type in types:
            who.check(resource_type)
    except BadRequest as error:
        return outcome(400, "invalid", str(error))
    except NotAllowed as error:
        return outcome(403, "forbidden", error.message)
    if patient_id is not None and not patient_records().filter(pk=patient_id).exists():
        return outcome(404, "not-found", f"There is no Patient with id {patient_id}.")
    job = start_bulk_export(
        client_id=who.client_id,
        types=types,
        request_url=request.build_absolute_uri(),
        patient_id=patient_id,
    )
    who.log("$export", [patient_id] if patient_id else [], f"started {job.pk}")
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(
        reverse("fhir_bulk:status", args=[job.pk])
    )
    return response


@csrf_exempt
@require_GET
def system_export(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, ALL_TYPES)


@csrf_exempt
@require_GET
def patients_export(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, PATIENT_TYPES)


@csrf_exempt
@require_GET
def patient_export(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _kick_off(request, PATIENT_TYPES, patient_id)


def _own_job(request: HttpRequest, job_id) -> tuple[Reader | None, BulkExport | None, object]:
    who, refusal = _who(request)
    if refusal:
        return None, None, refusal
    job = client_export(who.client_id, job_id)
    if job is None:
        return who, None, outcome(404, "not-found", "There is no such export job.")
    return who, job, None


def _manifest(request: HttpRequest, job: BulkExport) -> dict:
    return {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": output["type"],
                "url": request.build_absolute_uri(
                    reverse("fhir_bulk:file", args=[job.pk, output["type"]])
                ),
                "count": output["count"],
            }
            for output in job.outputs
            if output["count"]  # a type with nothing to export has no file (as the IG asks)
        ],
        "error": [],
    }


@csrf_exempt
@require_http_methods(["GET", "DELETE"])
def status(request: HttpRequest, job_id) -> HttpResponse:
    """Where a job is (GET), or cancel and delete it (DELETE)."""
    who, job, refusal = _own_job(request, job_id)
    if refusal:
        return refusal
    if request.method == "DELETE":
        who.log("$export", [], f"deleted {job.pk}")
        delete_bulk_export(job)
        return HttpResponse(status=202)
    if job.status == Status.FAILED:
        return outcome(500, "exception", job.error)
    if job.status != Status.DONE:
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.status
        response["Retry-After"] = "2"
        return response
    response = JsonResponse(_manifest(request, job))
    response["Expires"] = job.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@csrf_exempt
@require_GET
def download(request: HttpRequest, job_id, resource_type: str) -> HttpResponse:
    """One type's NDJSON file of a finished job."""
    who, job, refusal = _own_job(request, job_id)
    if refusal:
        return refusal
    output = next((o for o in job.outputs if o["type"] == resource_type), None)
    if job.status != Status.DONE or output is None:
        return outcome(404, "not-found", f"This export has no {resource_type} file.")
    who.log(resource_type, output["patients"], f"$export {job.pk} file")
    handle = export_storage().open(job.file_name(resource_type), "rb")
    return FileResponse(handle, content_type=NDJSON)
