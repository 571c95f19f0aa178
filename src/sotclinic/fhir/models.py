"""Export jobs: a client's FHIR Bulk Data ``$export`` and a patient's own record download.

Their files live in the private export store (``settings.EXPORTS_ROOT``, see ``storage``), one
folder per job, read only through the access-checked views, and are deleted when the job
expires (``settings.EXPORT_KEEP_HOURS`` after it was asked for)."""

import uuid

from django.db import models


class Status(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class BulkExport(models.Model):
    """One ``$export`` request of an OAuth client: what it asked for, how far the background
    task is, and the NDJSON files it wrote (one per type)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The OAuth application that asked; only it may poll, download or delete.
    client_id = models.CharField(max_length=100, db_index=True)
    # The patients' compartments asked for: None for every patient.
    patient_id = models.PositiveBigIntegerField(null=True, blank=True)
    types = models.JSONField(default=list)
    request_url = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # [{"type": "Patient", "count": 12, "patients": [1, 2, …]}] once done.
    outputs = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"$export {self.pk} ({self.status})"

    @property
    def folder(self) -> str:
        return f"bulk/{self.pk}"

    def file_name(self, resource_type: str) -> str:
        return f"{self.folder}/{resource_type}.ndjson"


class RecordDownload(models.Model):
    """A patient's own record, asked for in the portal: a ZIP of a FHIR Bundle of their
    resources and the whole-record PDF."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="record_downloads"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"record download {self.pk} ({self.status})"

    @property
    def folder(self) -> str:
        return f"record/{self.pk}"

    @property
    def file_name(self) -> str:
        return f"{self.folder}/record.zip"
