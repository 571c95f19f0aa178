from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginLink(models.Model):
    """A one-time log-in link e-mailed to a patient. Only the SHA-256 of the token is kept:
    whoever reads this table cannot log in with what it holds."""

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        related_name="login_links",
        verbose_name=_("patient"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.created_at:%Y-%m-%d %H:%M}"
