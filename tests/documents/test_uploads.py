"""Staff keep files for a patient: checked by content, stored privately with their SHA-256,
downloaded only through the audited view, clinical ones for practitioners only."""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.documents import services
from sotclinic.documents.errors import DocumentError
from sotclinic.documents.models import Document, Kind
from sotclinic.documents.storage import document_storage
from tests.factories import make_patient, make_user

from .files import EXE, PNG, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _post_upload(client, patient, data, name="report.pdf", kind=Kind.IMAGING_REPORT, **extra):
    return client.post(
        reverse("documents:upload", args=[patient.pk]),
        {"file": upload(data, name), "kind": kind, "title": "Lumbar MRI report", **extra},
    )


def test_a_practitioner_uploads_a_pdf_kept_privately_with_its_hash(client, document_store):
    doctor = make_user(Role.PRACTITIONER)
    patient = make_patient()
    client.force_login(doctor)
    data = pdf_bytes()

    response = _post_upload(client, patient, data)

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.patient, document.kind, document.content_type) == (
        patient,
        Kind.IMAGING_REPORT,
        "application/pdf",
    )
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    stored = document_store / document.stored_name
    assert stored.read_bytes() == data
    assert not str(stored).startswith(str(django_settings.MEDIA_ROOT))
    assert AccessLog.objects.filter(patient=patient, action=Action.UPLOAD_DOCUMENT).exists()


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_kept(client, document_store):
    client.force_login(make_user(Role.PRACTITIONER))
    patient = make_patient()

    response = _post_upload(client, patient, EXE, name="report.pdf")

    assert response.status_code == 422
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    assert not Document.objects.exists()
    assert not document_store.exists() or not any(document_store.iterdir())


def test_a_png_named_pdf_is_kept_as_what_it_is(client):
    client.force_login(make_user(Role.PRACTITIONER))

    _post_upload(client, make_patient(), PNG, name="scan.pdf", kind=Kind.SCANNED_FORM)

    document = Document.objects.get()
    assert document.content_type == "image/png" and document.stored_name.endswith(".png")


def test_a_file_over_the_limit_and_an_empty_file_are_refused(client, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    client.force_login(make_user(Role.PRACTITIONER))
    patient = make_patient()

    too_big = _post_upload(client, patient, pdf_bytes())
    user = make_user(Role.PRACTITIONER)
    with pytest.raises(DocumentError, match="empty"):
        services.store_document(
            patient, upload=upload(b""), kind=Kind.OTHER, title="Blank", by=user
        )

    assert too_big.status_code == 422 and "too large" in too_big.content.decode()
    assert not Document.objects.exists()


def test_a_title_is_required_and_a_failed_row_leaves_no_file(document_store):
    user = make_user(Role.PRACTITIONER)
    with pytest.raises(DocumentError, match="title"):
        services.store_document(
            make_patient(), upload=upload(pdf_bytes()), kind=Kind.OTHER, title="  ", by=user
        )
    # No uploader: the row cannot be written (NOT NULL), after the file was.
    with pytest.raises(IntegrityError):
        services.store_document(
            make_patient(),
            upload=upload(pdf_bytes()),
            kind=Kind.OTHER,
            title="Form",
            by=None,
            by_patient=True,
        )
    assert not any(document_store.iterdir())


def test_front_desk_may_not_add_clinical_documents_but_may_add_forms(client):
    client.force_login(make_user(Role.FRONT_DESK))
    patient = make_patient()

    clinical = _post_upload(client, patient, pdf_bytes(), kind=Kind.IMAGING_REPORT)
    form = _post_upload(client, patient, pdf_bytes(), kind=Kind.SCANNED_FORM)

    assert clinical.status_code == 422
    assert form.status_code == 302
    assert list(Document.objects.values_list("kind", flat=True)) == [Kind.SCANNED_FORM]
    with pytest.raises(DocumentError, match="Only a practitioner"):
        services.request_document(
            patient, kind=Kind.LETTER, title="x", note="", by=make_user(Role.FRONT_DESK)
        )


def _stored(patient, kind=Kind.IMAGING_REPORT, **extra):
    return services.store_document(
        patient,
        upload=upload(pdf_bytes()),
        kind=kind,
        title="Report",
        by=make_user(Role.PRACTITIONER),
        **extra,
    )


def test_download_is_audited_and_never_sniffed(client):
    patient = make_patient()
    document = _stored(patient)
    client.force_login(make_user(Role.PRACTITIONER))

    response = client.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert response.content == services.read_document(document)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert AccessLog.objects.get(patient=patient, action=Action.DOWNLOAD_DOCUMENT).detail == (
        f"document {document.pk}"
    )


def test_front_desk_sees_forms_but_not_clinical_documents(client):
    patient = make_patient()
    report = _stored(patient)
    form = _stored(patient, kind=Kind.SCANNED_FORM)
    client.force_login(make_user(Role.FRONT_DESK))

    tab = client.get(reverse("documents:patient", args=[patient.pk]))
    refused = client.get(reverse("documents:download", args=[report.pk]))
    allowed = client.get(reverse("documents:download", args=[form.pk]))

    assert tab.status_code == 200
    assert list(tab.context["documents"]) == [form]
    assert "New referral letter" not in tab.content.decode()
    assert refused.status_code == 404 and allowed.status_code == 200
    assert not AccessLog.objects.filter(
        action=Action.DOWNLOAD_DOCUMENT, detail=f"document {report.pk}"
    ).exists()


def test_a_patient_cannot_use_staff_downloads(client):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user)
    document = _stored(patient, shared_with_patient=True)
    client.force_login(user)

    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 403


def test_a_changed_or_missing_file_is_refused_on_download(client):
    patient = make_patient()
    document = _stored(patient)
    client.force_login(make_user(Role.PRACTITIONER))
    path = document_storage().path(document.stored_name)
    with open(path, "ab") as handle:
        handle.write(b"tampered")

    changed = client.get(reverse("documents:download", args=[document.pk]))
    document_storage().delete(document.stored_name)
    missing = client.get(reverse("documents:download", args=[document.pk]))

    assert changed.status_code == 422 and "no longer matches" in changed.content.decode()
    assert missing.status_code == 422


def test_the_store_has_no_public_url():
    with pytest.raises(NotImplementedError):
        document_storage().url("x.pdf")


def test_asking_the_patient_for_a_document_and_bad_requests(client):
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    asked = client.post(
        reverse("documents:ask", args=[patient.pk]),
        {"kind": Kind.IDENTITY_INSURANCE, "title": "Insurance card", "note": "Both sides"},
    )
    blank = client.post(
        reverse("documents:ask", args=[patient.pk]),
        {"kind": Kind.IDENTITY_INSURANCE, "title": " ", "note": ""},
    )
    clinical = client.post(
        reverse("documents:ask", args=[patient.pk]),
        {"kind": Kind.IMAGING_REPORT, "title": "MRI"},
    )
    no_file = client.post(reverse("documents:upload", args=[patient.pk]), {"title": "x"})

    assert asked.status_code == 302
    assert patient.document_requests.get().title == "Insurance card"
    assert AccessLog.objects.filter(patient=patient, action=Action.REQUEST_DOCUMENT).exists()
    assert blank.status_code == 422 and clinical.status_code == 422
    assert no_file.status_code == 422
    with pytest.raises(DocumentError, match="Say what"):
        services.request_document(
            patient, kind=Kind.OTHER, title="  ", note="", by=make_user(Role.FRONT_DESK)
        )


def test_the_patient_page_links_to_the_documents_tab(client):
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()

    assert reverse("documents:patient", args=[patient.pk]) in page


def test_str_of_rows():
    patient = make_patient()
    document = _stored(patient)
    asked = services.request_document(
        patient, kind=Kind.OTHER, title="Referral form", note="", by=make_user(Role.PRACTITIONER)
    )
    assert (str(document), str(asked)) == ("Report", "Referral form")
