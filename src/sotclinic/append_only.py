"""Tables whose rows are only ever inserted: the access log, account events, appointment
history. The model and its querysets refuse every change and deletion here; each table's
database triggers refuse them for ordinary SQL too.
"""

from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a row of an append-only table."""

    message = "This log is append-only; its rows cannot change."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.Immutable()

    def delete(self):
        raise self.model.Immutable()

    def bulk_update(self, objs, fields, batch_size=None):
        raise self.model.Immutable()


class AppendOnlyModel(models.Model):
    """Base of an append-only table. ``Immutable`` is the error its refusals raise."""

    Immutable: type[AppendOnlyError] = AppendOnlyError

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise self.Immutable()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.Immutable()
