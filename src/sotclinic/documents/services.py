"""Every write of the documents app, one transaction each: storing an upload (content checked,
SHA-256 kept, bytes in the private store), asking a patient for a document and taking their
upload, signing a consent, and drafting, editing, signing and adding to referral letters."""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sotclinic.patients.models import Patient
from sotclinic.scheduling.selectors import clinic_zone
from sotclinic.signatures import sign_document

from . import content
from .errors import DocumentError, LetterSigned
from .models import (
    CLINICAL_KINDS,
    ConsentSignature,
    ConsentText,
    Document,
    DocumentRequest,
    LetterAddendum,
    ReferralLetter,
)
from .selectors import consent_document, consent_language, referral_draft
from .storage import document_storage


def _check_may_handle_kind(user, kind: str) -> None:
    if kind in CLINICAL_KINDS and not user.is_practitioner:
        raise DocumentError(
            _("Only a practitioner may add or ask for clinical documents."), field="kind"
        )


def _checked_bytes(upload: UploadedFile) -> tuple[bytes, str, str]:
    """The upload's bytes with their content type and extension, read from the content."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise DocumentError(
            _("The file is too large; the most the clinic keeps is %(mb)s MB.")
            % {"mb": limit // (1024 * 1024) or 1},
            field="file",
        )
    data = b"".join(upload.chunks())
    if not data:
        raise DocumentError(_("The file is empty."), field="file")
    kind = content.detect(data[: content.HEAD_BYTES])
    if kind is None:
        raise DocumentError(
            _(
                "This file is not a PDF, PNG or JPEG file (its content was checked, not its "
                "name), so it was not kept."
            ),
            field="file",
        )
    return data, *kind


def store_document(
    patient: Patient,
    *,
    upload: UploadedFile,
    kind: str,
    title: str,
    by,
    by_patient: bool = False,
    shared_with_patient: bool = False,
) -> Document:
    """Keep an uploaded file for ``patient``: checked by content (PDF, PNG or JPEG only) and
    size, written to the private store under a random name, with its SHA-256. Staff other
    than practitioners may not add clinical kinds. The row and the file are kept together:
    if the row cannot be written, the file is removed."""
    if not by_patient:
        _check_may_handle_kind(by, kind)
    title = " ".join((title or "").split())[:200]
    if not title:
        raise DocumentError(_("Give the document a title."), field="title")
    data, content_type, extension = _checked_bytes(upload)
    storage = document_storage()
    stored_name = storage.save(f"{uuid.uuid4().hex}{extension}", ContentFile(data))
    try:
        with transaction.atomic():
            return Document.objects.create(
                patient=patient,
                kind=kind,
                title=title,
                original_name=(upload.name or "upload")[-255:],
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                stored_name=stored_name,
                uploaded_by=by,
                by_patient=by_patient,
                shared_with_patient=shared_with_patient or by_patient,
            )
    except BaseException:
        storage.delete(stored_name)
        raise


def read_document(document: Document) -> bytes:
    """The document's bytes from the private store, checked against the SHA-256 kept at
    upload (DocumentError if the file is missing or changed)."""
    storage = document_storage()
    try:
        with storage.open(document.stored_name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentError(
            _("The stored file is missing or no longer matches what was uploaded; tell the clinic.")
        )
    return data


@transaction.atomic
def request_document(patient: Patient, *, kind: str, title: str, note: str, by) -> DocumentRequest:
    """Ask the patient to upload a document in the portal."""
    _check_may_handle_kind(by, kind)
    title = " ".join((title or "").split())[:200]
    if not title:
        raise DocumentError(_("Say what the patient should upload."), field="title")
    return DocumentRequest.objects.create(
        patient=patient, kind=kind, title=title, note=(note or "").strip(), requested_by=by
    )


def answer_request(doc_request: DocumentRequest, *, upload: UploadedFile, by) -> Document:
    """The patient uploads what the clinic asked for; a request is answered once."""
    with transaction.atomic():
        locked = DocumentRequest.objects.select_for_update().get(pk=doc_request.pk)
        if locked.document_id is not None:
            raise DocumentError(_("This document was already uploaded."), field="file")
        document = store_document(
            locked.patient,
            upload=upload,
            kind=locked.kind,
            title=locked.title,
            by=by,
            by_patient=True,
        )
        locked.document = document
        locked.save(update_fields=["document"])
    return document


# --- Consents ------------------------------------------------------------------------------


@transaction.atomic
def save_consent_form(
    consent: ConsentText | None, *, title: str, text: str, active: bool
) -> ConsentText:
    """A new consent text, or a change to one (patients who signed the old text are asked to
    sign the new one)."""
    title, text = " ".join((title or "").split()), (text or "").strip()
    if not title or not text:
        raise DocumentError(_("A consent needs a title and its text."), field="text")
    consent = consent or ConsentText()
    consent.title, consent.text, consent.active = title[:200], text, active
    consent.updated_at = timezone.now()
    consent.save()
    return consent


@transaction.atomic
def sign_consent(
    patient: Patient,
    consent: ConsentText,
    *,
    full_name: str,
    signature_svg: str,
    shown_sha256: str,
    ip_address: str | None,
    channel: str,
    handed_over_by=None,
    now: dt.datetime | None = None,
) -> ConsentSignature:
    """The patient signs the consent text they were shown (its hash must match the text now)
    with their typed name and drawn signature; the signed PDF is kept with the signature."""
    consent = ConsentText.objects.select_for_update().get(pk=consent.pk)
    if not consent.active:
        raise DocumentError(_("This consent is no longer asked for."), field="signature")
    language = consent_language(patient)
    with translation.override(language):
        title = _("Signed consent")
    signed = sign_document(
        text=consent_document(consent),
        shown_sha256=shown_sha256,
        full_name=full_name,
        signature_svg=signature_svg,
        ip_address=ip_address,
        language=language,
        title=title,
        tz=clinic_zone(),
        changed_message=_(
            "The text changed while it was open; read it again and sign the new version."
        ),
        now=now,
    )
    return ConsentSignature.objects.create(
        patient=patient,
        consent=consent,
        channel=channel,
        full_name=signed.full_name,
        signature_svg=signed.signature_svg,
        language=language,
        document_text=signed.text,
        document_sha256=signed.sha256,
        signed_at=signed.signed_at,
        ip_address=ip_address,
        handed_over_by=handed_over_by,
        pdf=signed.pdf,
    )


# --- Referral letters ----------------------------------------------------------------------


def _require_practitioner(user) -> None:
    if not user.is_practitioner:
        raise DocumentError(_("Only a practitioner writes and signs letters."))


@transaction.atomic
def start_referral(patient: Patient, *, by) -> ReferralLetter:
    """A new draft letter to the patient's doctor, written from the chart for the
    practitioner to edit."""
    _require_practitioner(by)
    return ReferralLetter.objects.create(patient=patient, author=by, body=referral_draft(patient))


def _locked_draft(letter_id: int, expected_version: int) -> ReferralLetter:
    letter = ReferralLetter.objects.select_for_update().get(pk=letter_id)
    if letter.is_signed:
        raise LetterSigned()
    if letter.version != expected_version:
        raise DocumentError(
            _("Someone saved this letter since you opened it; open it again."), field="body"
        )
    return letter


@transaction.atomic
def save_letter(
    letter_id: int, *, by, expected_version: int, recipient: str, body: str
) -> ReferralLetter:
    """Save a draft letter's recipient and text, if nobody saved it since it was opened."""
    _require_practitioner(by)
    letter = _locked_draft(letter_id, expected_version)
    if not (body or "").strip():
        raise DocumentError(_("The letter is empty."), field="body")
    letter.recipient, letter.body = (recipient or "").strip(), body.strip()
    letter.version += 1
    letter.updated_at = timezone.now()
    letter.save()
    return letter


@transaction.atomic
def sign_letter(letter_id: int, *, by, expected_version: int) -> ReferralLetter:
    """Sign the letter as it stands; only its author signs it, and it never changes again."""
    _require_practitioner(by)
    letter = _locked_draft(letter_id, expected_version)
    if letter.author_id != by.pk:
        raise DocumentError(_("Only the practitioner who wrote the letter signs it."))
    letter.signed_at = timezone.now()
    letter.signed_by = by
    letter.save(update_fields=["signed_at", "signed_by"])
    return letter


@transaction.atomic
def add_letter_addendum(letter_id: int, *, by, text: str) -> LetterAddendum:
    """Append a correction or addition to a signed letter."""
    _require_practitioner(by)
    letter = ReferralLetter.objects.get(pk=letter_id)
    if not letter.is_signed:
        raise DocumentError(_("This letter is still a draft; change it directly."), field="text")
    if not (text or "").strip():
        raise DocumentError(_("Write the addendum first."), field="text")
    return LetterAddendum.objects.create(letter=letter, author=by, text=text.strip())
