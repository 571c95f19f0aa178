"""The one family of domain errors: something a person asked for that the rules refuse.

Every app's own errors derive from `DomainError`. Each carries a message written for the
person who hit it, the HTTP status an adapter answers with, and, where one field is at
fault, that field's name. Services raise them; each adapter kind (HTML views, the JSON API)
turns them into a response in one place, so no view repeats the translation.

This module imports nothing of the project (only Django's translation), so every layer may
use it.
"""

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    """Base class: `message` is shown to the person as it is."""

    message: str = gettext_lazy("That could not be done.")
    status_code: int = 422
    field: str | None = None
    # The heading of the page that shows the message when no form can show it.
    title: str = gettext_lazy("That could not be done")

    def __init__(self, message: str | None = None, field: str | None = None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(self.message)
