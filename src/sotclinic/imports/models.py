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
