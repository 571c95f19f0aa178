"""The clinic's own block-placement table, kept as an append-only history.

Every save adds a row; the latest row is in force. A row whose ``table`` is null records a reset
to the table shipped with the engine, so the history also says who reset it and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProtocolTableOverride(models.Model):
    """One version of the clinic's protocol table (``ProtocolTable.as_dict()`` shape)."""

    table = models.JSONField(null=True, blank=True, help_text="Null: the shipped default table.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        get_latest_by = ["updated_at", "id"]
        verbose_name = "protocol table version"

    def __str__(self) -> str:
        what = "defaults" if self.table is None else "clinic table"
        return f"{what} by {self.updated_by} at {self.updated_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # History rows never change: an edit is a new row.
        if self.pk is not None and not self._state.adding:
            raise ValueError("A saved protocol table version cannot be changed; save a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Protocol table versions are kept as the audit trail.")

    @property
    def is_reset(self) -> bool:
        return self.table is None
