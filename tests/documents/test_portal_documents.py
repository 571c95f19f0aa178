"""The patient's documents page in the portal: their own documents only (every endpoint is
tried with another patient's number), uploads of what the clinic asked for, consents signed
with a typed name and a drawn signature and downloaded as PDF."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.documents import services
from sotclinic.documents.models import ConsentSignature, Document, Kind
from sotclinic.signatures import document_sha256
from tests.factories import make_patient, make_user

from .files import EXE, pdf_bytes, upload

pytestmark = pytest.mark.django_db

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
    '<path d="M10 100 L40 60 L80 140 L120 50"/></svg>'
)


def _patient_client(client):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user, first_name="Olivia", last_name="Smith")
    client.force_login(user)
    return patient


def _consent(title="Consent to care", text="I agree to be examined and treated."):
    return services.save_consent_form(None, title=title, text=text, active=True)


def _sign(patient, consent, **extra):
    args = {
        "full_name": "Olivia Smith",
        "signature_svg": SVG,
        "shown_sha256": document_sha256(services.consent_document(consent)),
        "ip_address": "192.0.2.7",
        "channel": "portal",
        **extra,
    }
    return services.sign_consent(patient, consent, **args)


def _asked(patient, title="Insurance card"):
    return services.request_document(
        patient, kind=Kind.IDENTITY_INSURANCE, title=title, note="", by=make_user(Role.FRONT_DESK)
    )


def test_the_page_lists_what_is_asked_to_sign_and_the_patients_own_documents(client):
    patient = _patient_client(client)
    other = make_patient()
    consent = _consent()
    _asked(patient)
    _asked(other, title="Someone else's card")
    staff = make_user(Role.PRACTITIONER)
    shared = services.store_document(
        patient,
        upload=upload(pdf_bytes()),
        kind=Kind.LETTER,
        title="Letter to you",
        by=staff,
        shared_with_patient=True,
    )
    services.store_document(
        patient, upload=upload(pdf_bytes()), kind=Kind.IMAGING_REPORT, title="Internal", by=staff
    )

    response = client.get(reverse("portal:documents"))

    text = response.content.decode()
    assert response.status_code == 200
    assert consent.title in text and "Insurance card" in text and shared.title in text
    assert "Internal" not in text and "Someone else" not in text
    assert AccessLog.objects.filter(patient=patient, action=Action.VIEW_DOCUMENTS).exists()


def test_a_patient_uploads_what_was_asked_once(client):
    patient = _patient_client(client)
    asked = _asked(patient)
    url = reverse("portal:document_upload", args=[asked.pk])

    bad = client.post(url, {"file": upload(EXE, "card.pdf")})
    missing = client.post(url, {})
    good = client.post(url, {"file": upload(pdf_bytes(), "card.pdf")})
    again = client.post(url, {"file": upload(pdf_bytes(), "card.pdf")})

    assert bad.status_code == 422 and "not a PDF, PNG or JPEG" in bad.content.decode()
    assert missing.status_code == 422
    assert good.status_code == 302
    document = Document.objects.get()
    assert document.by_patient and document.shared_with_patient and document.patient == patient
    asked.refresh_from_db()
    assert asked.document == document
    assert again.status_code == 404  # no longer open
    assert AccessLog.objects.filter(patient=patient, action=Action.UPLOAD_DOCUMENT).count() == 1


def test_a_request_answered_meanwhile_is_refused():
    patient = make_patient(user=make_user(Role.PATIENT))
    asked = _asked(patient)
    services.answer_request(asked, upload=upload(pdf_bytes()), by=patient.user)
    with pytest.raises(services.DocumentError, match="already"):
        services.answer_request(asked, upload=upload(pdf_bytes()), by=patient.user)


def test_a_patient_signs_a_consent_in_the_portal_and_downloads_it(client):
    patient = _patient_client(client)
    consent = _consent()
    url = reverse("portal:consent_sign", args=[consent.pk])
    page = client.get(url)
    digest = page.context["sha256"]

    wrong = client.post(
        url, {"full_name": "Olivia Smith", "signature": SVG, "document_sha256": "0" * 64}
    )
    unsigned = client.post(url, {"full_name": "Olivia Smith", "document_sha256": digest})
    signed = client.post(
        url, {"full_name": "Olivia  Smith", "signature": SVG, "document_sha256": digest}
    )

    assert page.status_code == 200 and consent.text in page.content.decode()
    assert wrong.status_code == 422 and "changed while it was open" in wrong.content.decode()
    assert unsigned.status_code == 422
    assert signed.status_code == 302
    signature = ConsentSignature.objects.get()
    assert (signature.patient, signature.channel, signature.full_name) == (
        patient,
        "portal",
        "Olivia Smith",
    )
    assert signature.document_sha256 == digest and signature.ip_address == "127.0.0.1"
    listing = client.get(reverse("portal:documents"))
    assert listing.context["to_sign"] == []
    pdf = client.get(reverse("portal:consent_pdf", args=[signature.pk]))
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "I agree to be examined" in words and "Signed by: Olivia Smith" in words
    assert digest in words.replace("\n", "")
    actions = set(AccessLog.objects.filter(patient=patient).values_list("action", flat=True))
    assert {Action.VIEW_CONSENT, Action.SIGN_CONSENT} <= actions


def test_a_changed_consent_text_is_asked_again_and_an_inactive_one_is_not():
    patient = make_patient()
    consent = _consent()
    _sign(patient, consent)
    from sotclinic.documents.selectors import consents_to_sign

    assert consents_to_sign(patient) == []
    services.save_consent_form(consent, title=consent.title, text="New wording.", active=True)
    assert consents_to_sign(patient) == [consent]
    services.save_consent_form(consent, title=consent.title, text="New wording.", active=False)
    assert consents_to_sign(patient) == []
    with pytest.raises(services.DocumentError, match="no longer asked"):
        _sign(patient, consent)
    with pytest.raises(services.DocumentError, match="title and its text"):
        services.save_consent_form(None, title=" ", text="x", active=True)


def test_a_signed_consent_never_changes():
    signature = _sign(make_patient(), _consent())
    with pytest.raises(ConsentSignature.Immutable):
        signature.save()
    assert str(signature).startswith("Olivia Smith ")
    assert str(signature.consent) == "Consent to care"


def test_a_signed_consent_is_refused_a_change_by_the_database_itself():
    from django.db import DatabaseError, connection, transaction

    signature = _sign(make_patient(), _consent())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE documents_consentsignature SET full_name = 'X' WHERE id = %s", [signature.pk]
        )


def test_a_patient_never_reaches_another_patients_documents(client):
    patient = _patient_client(client)
    other = make_patient()
    staff = make_user(Role.PRACTITIONER)
    theirs = services.store_document(
        other,
        upload=upload(pdf_bytes()),
        kind=Kind.OTHER,
        title="Theirs",
        by=staff,
        shared_with_patient=True,
    )
    their_request = _asked(other)
    their_consent = _sign(other, _consent())

    download = client.get(reverse("portal:document_download", args=[theirs.pk]))
    upload_to = client.post(
        reverse("portal:document_upload", args=[their_request.pk]),
        {"file": upload(pdf_bytes())},
    )
    consent_pdf = client.get(reverse("portal:consent_pdf", args=[their_consent.pk]))
    staff_download = client.get(reverse("documents:download", args=[theirs.pk]))
    staff_consent = client.get(reverse("documents:consent_pdf", args=[their_consent.pk]))

    assert download.status_code == 404
    assert upload_to.status_code == 404
    assert consent_pdf.status_code == 404
    assert staff_download.status_code == 403 and staff_consent.status_code == 403
    assert Document.objects.count() == 1
    assert not AccessLog.objects.filter(patient=other, user=patient.user).exists()


def test_a_patient_downloads_their_own_shared_document(client):
    patient = _patient_client(client)
    document = services.store_document(
        patient,
        upload=upload(pdf_bytes()),
        kind=Kind.LETTER,
        title="Yours",
        by=make_user(Role.PRACTITIONER),
        shared_with_patient=True,
    )

    response = client.get(reverse("portal:document_download", args=[document.pk]))

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert AccessLog.objects.filter(patient=patient, action=Action.DOWNLOAD_DOCUMENT).exists()


def test_a_log_in_without_a_patient_record_and_staff_are_turned_away(client):
    client.force_login(make_user(Role.PATIENT))
    assert client.get(reverse("portal:documents")).status_code == 403
    client.force_login(make_user(Role.FRONT_DESK))
    assert client.get(reverse("portal:documents")).status_code == 403


def test_an_inactive_consent_cannot_be_opened_for_signing(client):
    _patient_client(client)
    consent = services.save_consent_form(None, title="Old", text="Old text.", active=False)
    assert client.get(reverse("portal:consent_sign", args=[consent.pk])).status_code == 404


def test_the_portal_home_lists_consents_to_sign_and_documents_asked_for(client):
    patient = _patient_client(client)
    consent = _consent()
    _asked(patient)
    _asked(make_patient(), title="Someone else's card")

    text = client.get(reverse("portal:home")).content.decode()

    assert f"Sign: {consent.title}" in text
    assert reverse("portal:consent_sign", args=[consent.pk]) in text
    assert "The clinic asks for: Insurance card" in text and "Someone else" not in text

    _sign(patient, consent)
    assert f"Sign: {consent.title}" not in client.get(reverse("portal:home")).content.decode()
