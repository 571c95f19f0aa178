from django.utils.translation import gettext_lazy

from sotclinic.errors import DomainError


class DocumentError(DomainError):
    """A document request the rules refuse; the message is shown as it is."""

    title = gettext_lazy("The document could not be saved")


class DocumentNotFound(DomainError):
    """No such document, or none this person may open (the two are not told apart)."""

    status_code = 404
    message = gettext_lazy("There is no such document.")
    title = gettext_lazy("Not found")


class LetterSigned(DocumentError):
    """Any change to a signed letter: corrections are addenda."""

    status_code = 409
    message = gettext_lazy("This letter is signed and cannot change; add an addendum instead.")
