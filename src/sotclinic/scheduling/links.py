"""Signed links that let a patient manage a booking without logging in."""

import datetime as dt

from django.core import signing
from django.utils.translation import gettext_lazy

from sotclinic.errors import DomainError

from .models import Appointment

MANAGE_SALT = "sotclinic.scheduling.manage-booking"
# Long enough for a booking made at the edge of the horizon; the appointment's own start time
# ends what the link can change in any case.
MANAGE_LINK_MAX_AGE = dt.timedelta(days=180)


class BadLink(DomainError):
    """A tampered, expired or dangling signed link."""

    status_code = 400
    title = gettext_lazy("This link does not work")
    message = gettext_lazy("This link is not valid or has expired. Call the clinic.")


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


REQUEST_SALT = "sotclinic.scheduling.confirm-booking-request"
# A request is for a listed slot; a day later the choice is stale and the link is refused.
REQUEST_LINK_MAX_AGE = dt.timedelta(hours=24)


def booking_request_token(
    *, patient_id: int, appointment_type_id: int, practitioner_id: int | None, start: dt.datetime
) -> str:
    """A link for the owner of a patient's e-mail address to confirm a requested booking."""
    return signing.dumps(
        {
            "p": patient_id,
            "t": appointment_type_id,
            "r": practitioner_id,
            "s": start.astimezone(dt.UTC).isoformat(),
        },
        salt=REQUEST_SALT,
        compress=True,
    )


def booking_request_for_token(token: str) -> dict:
    """What a request link asks for: patient_id, appointment_type_id, practitioner_id, start.
    BadLink when tampered with or expired."""
    try:
        data = signing.loads(token, salt=REQUEST_SALT, max_age=REQUEST_LINK_MAX_AGE)
        return {
            "patient_id": int(data["p"]),
            "appointment_type_id": int(data["t"]),
            "practitioner_id": None if data["r"] is None else int(data["r"]),
            "start": dt.datetime.fromisoformat(data["s"]),
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadLink() from exc
