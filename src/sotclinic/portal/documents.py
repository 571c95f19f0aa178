"""The patient's documents in the portal: what they uploaded and what the clinic shared with
them, what the clinic asks them to upload, and the consents to sign. A patient reaches only
their own: every lookup goes through their patient row, and another patient's number answers
404 like a number that does not exist. Every read and write is in the access log."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import patient_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.documents import selectors, services
from sotclinic.documents.content import ACCEPTED
from sotclinic.documents.pages import pdf_response, sign_consent_page
from sotclinic.errors import DomainError
from sotclinic.fhir.services import latest_record_download


class PatientUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (PDF, PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )


def _patient(request: HttpRequest):
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise PermissionDenied("This log-in is not linked to a patient record.")
    return patient


def _page(request, patient, *, failed=None, form=None, status=200) -> HttpResponse:
    context = {
        "patient": patient,
        "documents": selectors.documents_for_patient(patient),
        "requests": selectors.open_requests(patient),
        "to_sign": selectors.consents_to_sign(patient),
        "consents": selectors.signed_consents(patient).select_related("consent"),
        "failed": failed,
        "upload_form": form,
        "blank_form": PatientUploadForm(),
        "record": latest_record_download(patient),
    }
    return render(request, "portal/documents/list.html", context, status=status)


@patient_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    log_access(request, patient, Action.VIEW_DOCUMENTS, "portal documents")
    return _page(request, patient)


@patient_required
@require_POST
def upload(request: HttpRequest, request_id: int) -> HttpResponse:
    patient = _patient(request)
    asked = selectors.patient_request(patient, request_id)
    form = PatientUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.answer_request(
                asked, upload=form.cleaned_data["file"], by=request.user
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
            status = exc.status_code
        else:
            log_access(request, patient, Action.UPLOAD_DOCUMENT, f"document {document.pk}")
            messages.success(request, _("Thank you, the clinic has your document."))
            return redirect("portal:documents")
    else:
        status = 422
    return _page(request, patient, failed=asked.pk, form=form, status=status)


@patient_required
@require_GET
def download(request: HttpRequest, document_id: int) -> HttpResponse:
    patient = _patient(request)
    document = selectors.patient_document(patient, document_id)
    data = services.read_document(document)
    log_access(request, patient, Action.DOWNLOAD_DOCUMENT, f"document {document.pk}")
    extension = document.stored_name.rsplit(".", 1)[-1]
    return pdf_response(data, f"document-{document.pk}.{extension}", document.content_type)


@patient_required
def sign_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    patient = _patient(request)
    consent = selectors.active_consent(consent_id)

    def done(signature):
        messages.success(request, _("Thank you, the consent is signed."))
        return redirect("portal:documents")

    if request.method == "GET":
        log_access(request, patient, Action.VIEW_CONSENT, f"consent {consent.pk}")
    return sign_consent_page(
        request, patient, consent, channel="portal", handed_over_by=None, done=done
    )


@patient_required
@require_GET
def consent_pdf(request: HttpRequest, signature_id: int) -> HttpResponse:
    patient = _patient(request)
    signature = selectors.patient_consent(patient, signature_id)
    log_access(request, patient, Action.VIEW_CONSENT, f"consent signature {signature.pk}")
    return pdf_response(bytes(signature.pdf), f"consent-{signature.pk}-signed.pdf")
