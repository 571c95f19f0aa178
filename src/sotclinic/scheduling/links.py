"""Signed links that let a patient manage a booking without logging in."""

import datetime as dt

from django.core import signing

from .models import Appointment

MANAGE_SALT = "sotclinic.scheduling.manage-booking"
# Long enough for a booking made at the edge of the horizon; the appointment's own start time
# ends what the link can change in any case.
MANAGE_LINK_MAX_AGE = dt.timedelta(days=180)


class BadLink(Exception):
    def __init__(self, message: str = "This link is not valid or has expired. Call the clinic."):
        super().__init__(message)
        self.message = message


def manage_token(appointment: Appointment) -> str:
    return signing.dumps({"a": appointment.pk}, salt=MANAGE_SALT, compress=True)


def appointment_for_token(token: str) -> Appointment:
    """The appointment a manage link points to; BadLink when tampered with or expired."""
    try:
        data = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_LINK_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a subclass
        raise BadLink() from exc
    try:
        return Appointment.objects.select_related(
            "practitioner", "appointment_type", "location", "patient"
        ).get(pk=data["a"])
    except (Appointment.DoesNotExist, KeyError, TypeError) as exc:
        raise BadLink() from exc
