"""A patient's documents tab: uploads (checked by content, kept privately, downloaded only
here, each read audited), requests to the patient, consents signed on the tablet, referral
letters drafted from the chart, a signed note and the whole record as PDFs.

Front desk sees the administrative documents and consents; clinical documents, letters,
signed notes and the whole record are for practitioners (see documents.selectors)."""

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import practitioner_required, staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.charting.models import Note, Visit
from sotclinic.documents import pdfs, selectors, services
from sotclinic.documents.errors import DocumentError, DocumentNotFound
from sotclinic.documents.models import ConsentSignature, ConsentText, ReferralLetter
from sotclinic.documents.pages import pdf_response, sign_consent_page
from sotclinic.errors import DomainError
from sotclinic.patients.models import Patient
from sotclinic.refusals import refused_back_to, show_on_form

from .document_forms import AddendumForm, ConsentTextForm, LetterForm, RequestForm, UploadForm

TABLET_SESSION_KEY = "consent_signing"


def _tab(request, patient, *, upload=None, ask=None, status=200) -> HttpResponse:
    user = request.user
    clinical = selectors.staff_sees_clinical(user)
    context = {
        "patient": patient,
        "documents": selectors.documents_for_staff(patient, user),
        "requests": selectors.requests_for_staff(patient),
        "upload_form": upload or UploadForm(user=user),
        "request_form": ask or RequestForm(user=user),
        "consents": selectors.signed_consents(patient).select_related("consent"),
        "to_sign": selectors.consents_to_sign(patient),
        "clinical": clinical,
        "letters": selectors.letters_for(patient) if clinical else [],
        "signed_notes": Note.objects.filter(visit__patient=patient, signed_at__isnull=False)
        .select_related("visit")
        .order_by("-visit__started_at")
        if clinical
        else [],
    }
    return render(request, "documents/patient.html", context, status=status)


@staff_required
@require_GET
def patient_documents(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.VIEW_DOCUMENTS, "documents tab")
    return _tab(request, patient)


@staff_required
@require_POST
def upload(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    form = UploadForm(request.POST, request.FILES, user=request.user)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.store_document(
                patient,
                upload=data["file"],
                kind=data["kind"],
                title=data["title"],
                by=request.user,
                shared_with_patient=data["shared_with_patient"],
            )
        except DomainError as exc:
            status = show_on_form(form, exc, field="file")
        else:
            log_access(request, patient, Action.UPLOAD_DOCUMENT, f"document {document.pk}")
            messages.success(request, _("Document kept."))
            return redirect("documents:patient", patient.pk)
    return _tab(request, patient, upload=form, status=status)


@staff_required
@require_POST
def ask_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    form = RequestForm(request.POST, user=request.user)
    if not form.is_valid():
        return _tab(request, patient, ask=form, status=422)
    asked = services.request_document(patient, by=request.user, **form.cleaned_data)
    log_access(request, patient, Action.REQUEST_DOCUMENT, f"document request {asked.pk}")
    messages.success(request, _("The patient is asked to upload it in the portal."))
    return redirect("documents:patient", patient.pk)


@staff_required
@require_GET
def download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.staff_document(request.user, document_id)
    data = services.read_document(document)
    log_access(request, document.patient, Action.DOWNLOAD_DOCUMENT, f"document {document.pk}")
    extension = document.stored_name.rsplit(".", 1)[-1]
    return pdf_response(data, f"document-{document.pk}.{extension}", document.content_type)


@staff_required
@require_GET
def consent_pdf(request: HttpRequest, signature_id: int) -> HttpResponse:
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("patient"), pk=signature_id
    )
    log_access(request, signature.patient, Action.VIEW_CONSENT, f"consent signature {signature.pk}")
    return pdf_response(bytes(signature.pdf), f"consent-{signature.pk}-signed.pdf")


# --- Consents on the tablet ----------------------------------------------------------------


def _tab_page(request, patient_id: int, **kwargs) -> str:
    return reverse("documents:patient", args=[patient_id])


@staff_required
@require_POST
@refused_back_to(_tab_page)
def consent_tablet(request: HttpRequest, patient_id: int, consent_id: int) -> HttpResponse:
    """Staff hand the tablet to the patient: the staff session ends, and the tablet shows only
    this consent's signing page."""
    patient = get_object_or_404(Patient, pk=patient_id)
    consent = selectors.active_consent(consent_id)
    log_access(request, patient, Action.CONSENT_TABLET_START, f"consent {consent.pk}")
    handed_over_by = request.user.pk
    logout(request)
    request.session[TABLET_SESSION_KEY] = {
        "patient": patient.pk,
        "consent": consent.pk,
        "by": handed_over_by,
    }
    return redirect("documents:tablet_sign")


def tablet_sign(request: HttpRequest) -> HttpResponse:
    opened = request.session.get(TABLET_SESSION_KEY) or {}
    patient = Patient.objects.filter(pk=opened.get("patient")).first()
    consent = ConsentText.objects.filter(pk=opened.get("consent"), active=True).first()
    if patient is None or consent is None:
        raise DocumentError(_("No consent is open for signing on this device."))

    def done(signature):
        request.session.flush()
        return render(request, "documents/consent_signed.html")

    handed_over_by = get_user_model().objects.filter(pk=opened.get("by")).first()
    return sign_consent_page(
        request, patient, consent, channel="tablet", handed_over_by=handed_over_by, done=done
    )


# --- The clinic's consent texts ------------------------------------------------------------


@practitioner_required
@require_GET
def consent_texts(request: HttpRequest) -> HttpResponse:
    return render(request, "documents/consent_texts.html", {"consents": ConsentText.objects.all()})


@practitioner_required
def consent_text_edit(request: HttpRequest, consent_id: int | None = None) -> HttpResponse:
    consent = get_object_or_404(ConsentText, pk=consent_id) if consent_id else None
    initial = (
        {"title": consent.title, "text": consent.text, "active": consent.active}
        if consent
        else None
    )
    form = ConsentTextForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            services.save_consent_form(consent, **form.cleaned_data)
            messages.success(request, _("Consent text saved."))
            return redirect("documents:consent_texts")
    context = {"form": form, "consent": consent}
    return render(request, "documents/consent_text_form.html", context, status=status)


# --- Letters and PDFs (practitioners) ------------------------------------------------------


@practitioner_required
@require_POST
def referral_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    letter = services.start_referral(patient, by=request.user)
    log_access(request, patient, Action.WRITE_LETTER, f"letter {letter.pk}")
    return redirect("documents:letter", letter.pk)


def _letter(letter_id: int) -> ReferralLetter:
    return get_object_or_404(
        ReferralLetter.objects.select_related("patient", "author"), pk=letter_id
    )


@practitioner_required
def letter(request: HttpRequest, letter_id: int) -> HttpResponse:
    """A draft letter to edit and sign, or a signed letter with its addenda."""
    letter = _letter(letter_id)
    initial = {"recipient": letter.recipient, "body": letter.body, "version": letter.version}
    form = LetterForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.save_letter(
                    letter.pk,
                    by=request.user,
                    expected_version=data["version"],
                    recipient=data["recipient"],
                    body=data["body"],
                )
                log_access(request, letter.patient, Action.WRITE_LETTER, f"letter {letter.pk}")
                if request.POST.get("action") == "sign":
                    letter = services.sign_letter(
                        letter.pk, by=request.user, expected_version=letter.version
                    )
                    log_access(request, letter.patient, Action.SIGN_LETTER, f"letter {letter.pk}")
                    messages.success(request, _("Letter signed."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("documents:letter", letter.pk)
            except DomainError as exc:
                status = show_on_form(form, exc, field="body")
    else:
        log_access(request, letter.patient, Action.VIEW_LETTER, f"letter {letter.pk}")
    context = {
        "letter": letter,
        "form": form,
        "addendum_form": AddendumForm(),
        "addenda": letter.addenda.select_related("author"),
    }
    return render(request, "documents/letter.html", context, status=status)


def _letter_page(request, letter_id: int) -> str:
    return reverse("documents:letter", args=[letter_id])


@practitioner_required
@require_POST
@refused_back_to(_letter_page)
def letter_addendum(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = _letter(letter_id)
    services.add_letter_addendum(letter.pk, by=request.user, text=request.POST.get("text", ""))
    log_access(request, letter.patient, Action.ADD_LETTER_ADDENDUM, f"letter {letter.pk}")
    messages.success(request, _("Addendum added."))
    return redirect("documents:letter", letter.pk)


@practitioner_required
@require_GET
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = _letter(letter_id)
    log_access(request, letter.patient, Action.VIEW_LETTER, f"letter {letter.pk} PDF")
    return pdf_response(pdfs.letter_pdf(letter), f"letter-{letter.pk}.pdf")


@practitioner_required
@require_GET
def note_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_object_or_404(Visit, pk=visit_id)
    note = (
        Note.objects.select_related("visit__patient", "visit__practitioner")
        .filter(visit=visit, signed_at__isnull=False)
        .first()
    )
    if note is None:
        raise DocumentNotFound(_("There is no signed note for this visit."))
    log_access(request, note.visit.patient, Action.DOWNLOAD_NOTE_PDF, f"visit {visit_id}")
    return pdf_response(pdfs.note_pdf(note), f"note-visit-{visit_id}.pdf")


@practitioner_required
@require_GET
def record_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.DOWNLOAD_RECORD, "whole record PDF")
    return pdf_response(pdfs.record_pdf(patient), f"record-{patient.pk}.pdf")
