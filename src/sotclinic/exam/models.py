"""The clinic's own block-placement table, kept as an append-only history.

Every save adds a row; the latest row is in force. A row whose ``table`` is null records a reset
to the table shipped with the engine, so the history also says who reset it and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TableVersion(models.Model):
    """One version of a table the clinic edits: every edit is a new row, none ever changes."""

    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("updated at")
    )

    class Meta:
        abstract = True
        ordering = ["-updated_at", "-id"]
        get_latest_by = ["updated_at", "id"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(
                f"A saved {self._meta.verbose_name} cannot be changed; save a new one."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        plural = str(self._meta.verbose_name_plural)
        raise ValueError(f"{plural[:1].upper()}{plural[1:]} are kept as the audit trail.")


class ProtocolTableOverride(TableVersion):
    """One version of the clinic's protocol table (``ProtocolTable.as_dict()`` shape)."""

    table = models.JSONField(
        null=True,
        blank=True,
        help_text=_("Null: the shipped default table."),
        verbose_name=_("table"),
    )

    class Meta(TableVersion.Meta):
        verbose_name = _("protocol table version")

    def __str__(self) -> str:
        what = "defaults" if self.table is None else "clinic table"
        return f"{what} by {self.updated_by} at {self.updated_at:%Y-%m-%d %H:%M}"

    @property
    def is_reset(self) -> bool:
        return self.table is None


class CmrtAreaLevels(TableVersion):
    """One version of the clinic's CMRT area → vertebral level table (``{"3": "T5"}``).

    The shipped areas have no level because no public source maps them, so each clinic fills in
    its own. Like the protocol table the history is append-only; each row also keeps the levels it
    replaced, so the trail reads who, when, old → new without comparing rows.
    """

    levels = models.JSONField(default=dict, blank=True)
    previous_levels = models.JSONField(default=dict, blank=True)

    class Meta(TableVersion.Meta):
        verbose_name = _("CMRT area levels version")

    def __str__(self) -> str:
        return f"CMRT area levels by {self.updated_by} at {self.updated_at:%Y-%m-%d %H:%M}"

    def changes(self) -> list[tuple[int, str | None, str | None]]:
        """(area, old level, new level) for each area this version changed."""
        areas = sorted({int(a) for a in (*self.levels, *self.previous_levels)})
        return [
            (area, self.previous_levels.get(str(area)), self.levels.get(str(area)))
            for area in areas
            if self.previous_levels.get(str(area)) != self.levels.get(str(area))
        ]
