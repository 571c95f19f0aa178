"""What can go wrong when booking, in words a patient or a receptionist can act on."""

from django.utils.translation import gettext_lazy

from sotclinic.errors import DomainError


class BookingError(DomainError):
    """Base class: the message is shown to the person as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field)


class SlotTaken(BookingError):
    status_code = 409

    def __init__(
        self,
        message: str = gettext_lazy("That time was just booked by someone else; pick another."),
    ):
        super().__init__(message, field="start")


class SlotNotOffered(BookingError):
    """The time is in the past, too soon, too far ahead, or outside the practitioner's hours."""

    def __init__(
        self, message: str = gettext_lazy("That time is not open for booking; pick a listed time.")
    ):
        super().__init__(message, field="start")


class NotBookableOnline(BookingError):
    def __init__(
        self, message: str = gettext_lazy("That appointment type cannot be booked online.")
    ):
        super().__init__(message, field="appointment_type")


class ChangeNotAllowed(BookingError):
    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)


class OutsideOpeningHours(BookingError):
    """Staff asked for a time outside the practitioner's opening hours without saying that
    they mean it; the form then offers the override."""

    def __init__(self, message: str):
        super().__init__(message, field="outside_hours")
