"""Reads of the documents app: who may see which document, what a patient is asked to upload
or sign, and the referral letter's draft written from the chart."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sotclinic import clinic_locale
from sotclinic.charting.models import Note
from sotclinic.clinic_locale import date_text
from sotclinic.exam.words import category_name, side_short
from sotclinic.intake.selectors import red_flags
from sotclinic.patients.models import Patient
from sotclinic.signatures import document_sha256

from .errors import DocumentNotFound
from .models import (
    CLINICAL_KINDS,
    ConsentSignature,
    ConsentText,
    Document,
    DocumentRequest,
    ReferralLetter,
)

# --- Who sees what -------------------------------------------------------------------------
# Practitioners see every document of a patient. Front desk sees the administrative ones
# (scanned forms, identity and insurance cards, other papers, patients' uploads of those, and
# signed consents) but not clinical documents (imaging reports, letters), referral letters,
# signed notes or the whole record. A patient sees what they uploaded, what the clinic shared
# with them, and their own signed consents.


def staff_sees_clinical(user) -> bool:
    return user.is_practitioner


def documents_for_staff(patient: Patient, user) -> QuerySet[Document]:
    """The patient's documents this member of staff may see, newest first."""
    documents = Document.objects.filter(patient=patient).select_related("uploaded_by")
    if not staff_sees_clinical(user):
        documents = documents.exclude(kind__in=CLINICAL_KINDS)
    return documents


def documents_for_patient(patient: Patient) -> QuerySet[Document]:
    """What the patient sees of their documents: their uploads and what was shared with them."""
    return Document.objects.filter(patient=patient, shared_with_patient=True)


def staff_document(user, document_id: int) -> Document:
    """The document, if this member of staff may open it; DocumentNotFound otherwise."""
    document = Document.objects.select_related("patient").filter(pk=document_id).first()
    if document is None or (document.is_clinical and not staff_sees_clinical(user)):
        raise DocumentNotFound()
    return document


def patient_document(patient: Patient, document_id: int) -> Document:
    """One of the patient's own visible documents; DocumentNotFound for anyone else's."""
    document = documents_for_patient(patient).filter(pk=document_id).first()
    if document is None:
        raise DocumentNotFound()
    return document


def open_requests(patient: Patient) -> QuerySet[DocumentRequest]:
    """What the clinic asked the patient to upload and is still waiting for."""
    return DocumentRequest.objects.filter(patient=patient, document__isnull=True)


def patient_request(patient: Patient, request_id: int) -> DocumentRequest:
    """One of the patient's open requests; DocumentNotFound for anyone else's."""
    found = open_requests(patient).filter(pk=request_id).first()
    if found is None:
        raise DocumentNotFound()
    return found


def requests_for_staff(patient: Patient) -> QuerySet[DocumentRequest]:
    return DocumentRequest.objects.filter(patient=patient).select_related("document")


# --- Consents ------------------------------------------------------------------------------


def consent_language(patient: Patient) -> str:
    """The language the signing page and the PDF's labels are in: the patient's, else the
    clinic's."""
    return patient.preferred_language or clinic_locale.current().language


def consent_document(consent: ConsentText) -> str:
    """The consent as the patient reads and signs it: its title, then its text."""
    return f"{consent.title}\n\n{consent.text.strip()}\n"


def consents_to_sign(patient: Patient) -> list[ConsentText]:
    """The clinic's consents the patient has not signed in their current wording."""
    signed = set(
        ConsentSignature.objects.filter(patient=patient).values_list("document_sha256", flat=True)
    )
    return [
        consent
        for consent in ConsentText.objects.filter(active=True)
        if document_sha256(consent_document(consent)) not in signed
    ]


def active_consent(consent_id: int) -> ConsentText:
    consent = ConsentText.objects.filter(pk=consent_id, active=True).first()
    if consent is None:
        raise DocumentNotFound()
    return consent


def signed_consents(patient: Patient) -> QuerySet[ConsentSignature]:
    return ConsentSignature.objects.filter(patient=patient).defer("pdf")


def patient_consent(patient: Patient, signature_id: int) -> ConsentSignature:
    """One of the patient's own signed consents; DocumentNotFound for anyone else's."""
    found = ConsentSignature.objects.filter(patient=patient, pk=signature_id).first()
    if found is None:
        raise DocumentNotFound()
    return found


# --- Letters -------------------------------------------------------------------------------


def letters_for(patient: Patient) -> QuerySet[ReferralLetter]:
    return ReferralLetter.objects.filter(patient=patient).select_related("author", "signed_by")


def latest_note(patient: Patient) -> Note | None:
    """The note of the patient's latest visit, signed ones first."""
    notes = Note.objects.filter(visit__patient=patient).select_related("visit", "exam")
    return (
        notes.filter(signed_at__isnull=False).order_by("-visit__started_at", "-pk").first()
        or notes.order_by("-visit__started_at", "-pk").first()
    )


def note_category(note: Note) -> str:
    """The note's SOT category and side in words: the confirmed one, else the suggestion."""
    exam = note.exam
    category = exam.confirmed_category or exam.suggested_category
    side = exam.confirmed_side if exam.confirmed_category else exam.suggested_side
    return " ".join(part for part in (category_name(category), side_short(side)) if part)


def _none(text: str) -> str:
    return text.strip() or _("(nothing recorded)")


def referral_draft(patient: Patient) -> str:
    """A letter to the patient's doctor, drafted from the chart: the latest note's complaint
    and findings, and every red flag with how it was handled. The practitioner edits it and
    writes the reason for the referral before signing."""
    note = latest_note(patient)
    parts = [
        _("Dear Doctor,"),
        "",
        _("Re: %(name)s, born %(dob)s")
        % {"name": patient.full_name, "dob": date_text(patient.date_of_birth)},
        "",
    ]
    if note is None:
        parts += [_("No visit is recorded yet."), ""]
    else:
        parts += [
            _("I saw your patient at this clinic on %(date)s.")
            % {"date": date_text(note.visit.started_at)},
            "",
            _("Presenting complaint:"),
            _none(note.complaints),
            "",
            _("Findings:"),
            _none(note.objective),
        ]
        category = note_category(note)
        if category:
            parts.append(_("SOT category: %(category)s") % {"category": category})
        if note.assessment.strip():
            parts.append(_("Assessment: %(assessment)s") % {"assessment": note.assessment.strip()})
        parts.append("")
    flags = list(red_flags(patient))
    parts.append(_("Red flags:"))
    if not flags:
        parts.append(_("None recorded."))
    for flag in flags:
        if flag.handled_at:
            handling = _("handled on %(date)s: %(handling)s") % {
                "date": date_text(flag.handled_at),
                "handling": flag.get_handling_display(),
            }
            if flag.handling_note.strip():
                handling += f" ({flag.handling_note.strip()})"
        else:
            handling = _("not yet handled")
        parts.append(
            f"- {flag.title}"
            + (f" ({flag.severity_label})" if flag.severity_label else "")
            + f", {date_text(flag.raised_at)}: {handling}"
        )
    parts += [
        "",
        _("Reason for this letter:"),
        _("[Write why you are writing to the doctor and what you ask of them.]"),
        "",
        _("Yours sincerely,"),
    ]
    return "\n".join(parts)
