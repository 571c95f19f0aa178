"""Which record of another practice system became which row here, so a second import of the
same file finds them and changes nothing."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    PATIENT = "patient", _("Patient")
    APPOINTMENT = "appointment", _("Appointment")
    OPENING_BALANCE = "opening_balance", _("Opening balance")


class ExternalRecord(models.Model):
    """One record of another system (its name, the kind and its own id) and what it became.

    An opening balance is known by the id of the patient it belongs to (one per patient)."""

    source = models.CharField(_("system"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    external_id = models.CharField(_("id in that system"), max_length=100)
    # A digest of the row as last imported: the same row again changes nothing.
    fingerprint = models.CharField(max_length=64)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="+", verbose_name=_("patient")
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        "billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="external_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"


def upload_storage():
    """The private store of uploaded files under ``settings.IMPORTS_ROOT``: never served (no
    URL); the worker reads the file, the pages never hand it out."""
    from sotclinic.documents.storage import PrivateStorage

    return PrivateStorage(
        location=settings.IMPORTS_ROOT,
        directory_permissions_mode=0o700,
        file_permissions_mode=0o600,
    )


class UploadStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to choose")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class ImportUpload(models.Model):
    """One file chosen for import, its column mapping, and where its check and import stand.

    ``version`` goes up with every check queued: an import names the check it follows, so an
    import of a file checked again meanwhile is refused. The worker writes ``result`` (every
    row's outcome and problems), ``status`` and ``worked_at``; old uploads and their files are
    deleted by ``imports.uploads.purge_old_uploads``."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    source = models.CharField(max_length=40)
    file = models.FileField(storage=upload_storage, upload_to="uploads/%Y/%m/")
    header = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=list)
    date_order = models.CharField(max_length=3)
    accept_outside_hours = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=UploadStatus.choices)
    version = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    problems = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a worker last took up the current check or import, or told how far the check is.
    # Still checking or importing long after it, the upload lost its worker
    # (``imports.uploads.fail_abandoned``); None while the step waits for a worker.
    worked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} {self.kind} upload {self.pk} ({self.status})"
