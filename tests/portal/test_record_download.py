"""A patient's own record from the portal: asked for, made by the worker, downloaded as a ZIP
of a FHIR Bundle and the whole-record PDF, by that patient only."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.fhir.models import RecordDownload, Status
from sotclinic.fhir.services import build_record_download, record_bundle
from tests.api.fhir.validation import validated
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.EXPORTS_ROOT


def _patient_client(client, **names):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user, **names)
    client.force_login(user)
    return patient


def _seen(patient):
    doctor = make_practitioner(make_location(time_zone="UTC"))
    start = timezone.now() - dt.timedelta(days=3)
    visit = make_visit(appointment=make_appointment(doctor, start, patient=patient))
    sign_visit(visit, pain_score=4)


def _ask(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:record_request"))
    assert response.status_code == 302
    return RecordDownload.objects.latest("created_at")


def test_a_patient_downloads_a_zip_of_a_valid_bundle_and_the_pdf(
    client, django_capture_on_commit_callbacks
):
    patient = _patient_client(client, first_name="Olivia", last_name="Smith")
    _seen(patient)
    other = make_patient(first_name="Bob")
    _seen(other)

    download = _ask(client, django_capture_on_commit_callbacks)
    page = client.get(reverse("portal:documents")).content.decode()
    response = client.get(reverse("portal:record_download", args=[download.pk]))

    assert download.status == Status.DONE
    assert "Download my record (ZIP)" in page
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["record.json", "record.pdf"]
    bundle = validated(json.loads(archive.read("record.json")))
    assert bundle.type == "collection"
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "Appointment", "Encounter", "Observation"} <= kinds
    subjects = {
        entry.resource.subject.reference
        for entry in bundle.entry
        if getattr(entry.resource, "subject", None)
    }
    assert subjects == {f"Patient/{patient.pk}"}
    assert archive.read("record.pdf").startswith(b"%PDF")
    logged = AccessLog.objects.filter(patient=patient).values_list("action", flat=True)
    assert {Action.VIEW_DOCUMENTS, Action.DOWNLOAD_DOCUMENT} <= set(logged)


def test_another_patient_gets_404_for_the_download(client, django_capture_on_commit_callbacks):
    _patient_client(client)
    download = _ask(client, django_capture_on_commit_callbacks)
    _patient_client(client)

    response = client.get(reverse("portal:record_download", args=[download.pk]))

    assert response.status_code == 404


def test_staff_cannot_use_the_portal_urls(client, django_capture_on_commit_callbacks):
    _patient_client(client)
    download = _ask(client, django_capture_on_commit_callbacks)
    client.force_login(make_user(Role.PRACTITIONER))

    asked = client.post(reverse("portal:record_request"))
    fetched = client.get(reverse("portal:record_download", args=[download.pk]))

    assert asked.status_code == 403 and fetched.status_code == 403
    assert RecordDownload.objects.count() == 1


def test_a_download_being_prepared_refreshes_the_page_and_is_not_served(client):
    patient = _patient_client(client)
    download = RecordDownload.objects.create(
        patient=patient, expires_at=timezone.now() + dt.timedelta(hours=1)
    )

    page = client.get(reverse("portal:documents")).content.decode()
    response = client.get(reverse("portal:record_download", args=[download.pk]))

    assert 'http-equiv="refresh"' in page and "being prepared" in page
    assert response.status_code == 404


def test_a_failed_download_says_so(client, settings, tmp_path):
    patient = _patient_client(client)
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    settings.EXPORTS_ROOT = blocker
    download = RecordDownload.objects.create(
        patient=patient, expires_at=timezone.now() + dt.timedelta(hours=1)
    )

    build_record_download(str(download.pk))
    build_record_download(str(download.pk))  # a second run of the task does nothing

    download.refresh_from_db()
    assert download.status == Status.FAILED
    assert "could not be prepared" in client.get(reverse("portal:documents")).content.decode()


def test_a_patient_without_records_still_gets_a_valid_bundle():
    patient = make_patient()

    bundle = record_bundle(patient.pk)

    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient"]
