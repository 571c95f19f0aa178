"""Domain errors of charting, each with a message for the person who hit it."""

from django.utils.translation import gettext_lazy

from sotclinic.errors import DomainError

SIGNED_MESSAGE = "This note is signed; add an addendum instead."


class ChartingError(DomainError):
    def __init__(self, message: str | None = None):
        super().__init__(message or None)


class NoteSigned(ChartingError):
    """Any change to a signed note."""

    message = SIGNED_MESSAGE
    status_code = 409


class StaleDraft(ChartingError):
    """A draft saved from an older version than the one stored: the other version is attached."""

    status_code = 409
    message = (
        "Someone saved this note after you opened it. Their version is shown below; "
        "compare, then save again to replace it with yours."
    )

    def __init__(self, current, message: str | None = None):
        super().__init__(message)
        self.current = current


class InvalidDraft(ChartingError):
    """Field problems found by the service (beyond what the form checks)."""

    message = gettext_lazy("Some fields need attention.")
    status_code = 400

    def __init__(self, errors: dict[str, str], message: str | None = None):
        super().__init__(message)
        self.errors = errors


class CannotSign(ChartingError):
    """Signing refused, e.g. copied findings not yet reviewed."""

    status_code = 409


class NotAllowed(ChartingError):
    """The user's role may not do this."""

    status_code = 403
