"""Export jobs: start one (the row, then the background task), run it, delete it.

The tasks (``run_bulk_export``, ``build_record_download``) are handed to the django-q2 worker
after the row is committed; they write into the private export store only."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from sotclinic.background import after_commit
from sotclinic.documents.pdfs import record_pdf
from sotclinic.documents.storage import PrivateStorage
from sotclinic.patients.models import Patient

from .compartment import patient_resources, resource_batches
from .models import BulkExport, RecordDownload, Status

logger = logging.getLogger(__name__)


def export_storage() -> PrivateStorage:
    """The store under ``settings.EXPORTS_ROOT`` (read per call, so tests can move it); no web
    server serves it."""
    return PrivateStorage(
        location=settings.EXPORTS_ROOT,
        directory_permissions_mode=0o700,
        file_permissions_mode=0o600,
    )


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def _queue(func: str, job_id, name: str) -> None:
    after_commit(func, str(job_id), task_name=name, group="exports")


def start_bulk_export(
    *, client_id: str, types: list[str], request_url: str, patient_id: int | None = None
) -> BulkExport:
    """A new ``$export`` job of the OAuth client ``client_id`` for ``types`` (the compartment of
    ``patient_id``, or every patient's when None), queued for the worker."""
    delete_expired_exports()
    with transaction.atomic():
        job = BulkExport.objects.create(
            client_id=client_id,
            types=types,
            request_url=request_url,
            patient_id=patient_id,
            expires_at=_expiry(),
        )
        _queue("sotclinic.fhir.services.run_bulk_export", job.pk, f"$export {job.pk}")
    return job


def _write_type(job: BulkExport, resource_type: str, folder: Path) -> dict:
    count, patients = 0, set()
    patient_ids = [job.patient_id] if job.patient_id is not None else None
    with open(folder / f"{resource_type}.ndjson", "w", encoding="utf-8") as out:
        for hits in resource_batches(resource_type, settings.EXPORT_BATCH_SIZE, patient_ids):
            for hit in hits:
                out.write(hit.resource.model_dump_json(exclude_none=True))
                out.write("\n")
                if hit.patient_id:
                    patients.add(hit.patient_id)
            count += len(hits)
    return {"type": resource_type, "count": count, "patients": sorted(patients)}


def run_bulk_export(job_id: str) -> None:
    """The worker's part of ``$export``: one NDJSON file per type, written batch by batch.
    A job deleted meanwhile (cancelled) stops before the next type and leaves no files; an
    error marks the job failed with the reason."""
    job = BulkExport.objects.filter(pk=job_id, status=Status.QUEUED).first()
    if job is None:
        return
    job.status, job.transaction_time = Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "transaction_time"])
    wanted = BulkExport.objects.filter(pk=job.pk)
    try:
        folder = Path(export_storage().path(job.folder))
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        outputs = []
        for done, resource_type in enumerate(job.types):
            if not wanted.exists():
                break
            outputs.append(_write_type(job, resource_type, folder))
            wanted.update(progress=f"{done + 1} of {len(job.types)} types written")
    except Exception as error:  # any failure is the job's answer, not the worker's crash
        logger.exception("Bulk export %s failed", job.pk)
        wanted.update(status=Status.FAILED, error=f"The export failed: {error}")
        return
    if not wanted.update(status=Status.DONE, outputs=outputs, expires_at=_expiry()):
        shutil.rmtree(folder, ignore_errors=True)  # cancelled while it ran


def _remove(folder: str) -> None:
    shutil.rmtree(Path(export_storage().path(folder)), ignore_errors=True)


def delete_bulk_export(job: BulkExport) -> None:
    """Cancel a job (a running task stops) and delete its files."""
    folder = job.folder
    job.delete()
    _remove(folder)


def client_export(client_id: str, job_id) -> BulkExport | None:
    """The OAuth client's own export job, or None: another client's job, and one whose time is
    up (even before the worker has deleted it), do not exist for it."""
    return BulkExport.objects.filter(
        pk=job_id, client_id=client_id, expires_at__gt=timezone.now()
    ).first()


def delete_expired_exports() -> int:
    """Delete the jobs (and their files) whose time is up; how many. Run by the worker's
    scheduler and before each new job."""
    removed = 0
    now = timezone.now()
    for model in (BulkExport, RecordDownload):
        for job in model.objects.filter(expires_at__lte=now):
            folder = job.folder
            job.delete()
            _remove(folder)
            removed += 1
    return removed


def start_record_download(patient: Patient) -> RecordDownload:
    """A new download of ``patient``'s own record, queued for the worker."""
    delete_expired_exports()
    with transaction.atomic():
        job = RecordDownload.objects.create(patient=patient, expires_at=_expiry())
        _queue("sotclinic.fhir.services.build_record_download", job.pk, f"record download {job.pk}")
    return job


def record_bundle(patient_id: int) -> Bundle:
    """Every resource of a patient's record as one validated Bundle (type ``collection``)."""
    entries = [{"resource": resource} for resource in patient_resources(patient_id)]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": entries or None,
        }
    )


def build_record_download(job_id: str) -> None:
    """The worker's part of a record download: record.json (the Bundle) and record.pdf in one
    ZIP; an error marks the download failed."""
    job = RecordDownload.objects.filter(pk=job_id, status=Status.QUEUED).first()
    if job is None:
        return
    job.status = Status.RUNNING
    job.save(update_fields=["status"])
    try:
        bundle = record_bundle(job.patient_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("record.json", bundle.model_dump_json(exclude_none=True))
            archive.writestr("record.pdf", record_pdf(job.patient))
        folder = Path(export_storage().path(job.folder))
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        (folder / "record.zip").write_bytes(buffer.getvalue())
    except Exception:  # any failure is the download's answer, not the worker's crash
        logger.exception("Record download %s failed", job.pk)
        job.status = Status.FAILED
        job.save(update_fields=["status"])
        return
    job.status, job.expires_at = Status.DONE, _expiry()
    job.save(update_fields=["status", "expires_at"])


def latest_record_download(patient: Patient) -> RecordDownload | None:
    """The patient's newest record download that has not expired, if any."""
    return (
        RecordDownload.objects.filter(patient=patient, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


def open_record_download(patient: Patient, download_id) -> tuple[RecordDownload, object]:
    """The patient's own finished download and its open ZIP file; RecordDownload.DoesNotExist
    for any other (another patient's, unfinished or expired)."""
    download = RecordDownload.objects.get(
        pk=download_id, patient=patient, status=Status.DONE, expires_at__gt=timezone.now()
    )
    return download, export_storage().open(download.file_name, "rb")
