"""The patient's own record to take away: asked for on the documents page, made by the worker
(a ZIP of a FHIR Bundle of their resources and the whole-record PDF), downloaded by them only.
Another patient's download answers 404 like one that does not exist; every step is in the
access log."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import patient_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.fhir.models import RecordDownload
from sotclinic.fhir.services import open_record_download, start_record_download

from .documents import _patient


@patient_required
@require_POST
def ask_for_record(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    download = start_record_download(patient)
    log_access(request, patient, Action.VIEW_DOCUMENTS, f"asked for own record {download.pk}")
    messages.success(request, _("Your record is being prepared."))
    return redirect("portal:documents")


@patient_required
@require_GET
def download_record(request: HttpRequest, download_id) -> HttpResponse:
    patient = _patient(request)
    try:
        download, handle = open_record_download(patient, download_id)
    except RecordDownload.DoesNotExist:
        raise Http404("There is no such download.") from None
    log_access(request, patient, Action.DOWNLOAD_DOCUMENT, f"own record {download.pk}")
    response = FileResponse(
        handle, as_attachment=True, filename="my-record.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
