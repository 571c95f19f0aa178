"""Pages shared by the staff side and the portal: a file answered for download, and the
page on which a patient signs a consent (on the clinic's tablet or in the portal)."""

from django.http import HttpResponse
from django.shortcuts import render

from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.client_address import client_ip
from sotclinic.errors import DomainError
from sotclinic.refusals import show_on_form
from sotclinic.signatures import SigningForm, document_sha256

from . import selectors, services


def pdf_response(data: bytes, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    """A file for download: never sniffed, never shown inside the clinic's pages."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sign_consent_page(request, patient, consent, *, channel, handed_over_by, done):
    """The signing page, shared by the tablet and the portal: the consent's text, the typed
    name, the drawn signature; ``done()`` answers once it is signed."""
    language = selectors.consent_language(patient)
    document = selectors.consent_document(consent)
    form = SigningForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                signature = services.sign_consent(
                    patient,
                    consent,
                    full_name=form.cleaned_data["full_name"],
                    signature_svg=form.cleaned_data["signature"],
                    shown_sha256=form.cleaned_data["document_sha256"],
                    ip_address=client_ip(request),
                    channel=channel,
                    handed_over_by=handed_over_by,
                )
            except DomainError as exc:
                status = show_on_form(form, exc)
            else:
                log_access(
                    request, patient, Action.SIGN_CONSENT, f"consent signature {signature.pk}"
                )
                return done(signature)
    context = {
        "consent": consent,
        "form": form,
        "document": document,
        "sha256": document_sha256(document),
        "language": language,
    }
    return render(request, "documents/consent_sign.html", context, status=status)
