"""What each OAuth application may be granted: its FHIR scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationScopes(models.Model):
    """The scopes one OAuth application may ask for (space-separated, SMART syntax).

    A token request for any scope outside them is refused (``invalid_scope``); an application
    without a row may have no scope, so it gets no token. ``system/*.read`` covers every
    ``system/<Type>.read`` (and ``user/*.read`` every ``user/<Type>.read``).
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="fhir_scopes",
        verbose_name=_("application"),
    )
    scopes = models.TextField(_("allowed scopes"), blank=True)

    class Meta:
        verbose_name = _("allowed FHIR scopes")
        verbose_name_plural = _("allowed FHIR scopes")

    def __str__(self) -> str:
        return self.scopes
