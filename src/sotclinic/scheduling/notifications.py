"""E-mails to patients about their bookings. They carry times and places, never clinical data.

Each is queued in the outbox inside the caller's transaction: it leaves only if the change is
committed, and a mail-server failure is retried later instead of failing the change.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from sotclinic.messaging.services import queue_email
from sotclinic.patients.models import Patient

from .calendars import appointment_invite
from .clinic_locales import written_for
from .links import booking_request_token, manage_token
from .models import Appointment, AppointmentType, ClinicSettings, Location, Practitioner


def site_url() -> str:
    """Where the app is reachable, for links in e-mails sent outside a request (reminders)."""
    return settings.SITE_URL


def manage_url(appointment: Appointment, base_url: str | None = None) -> str:
    path = reverse("portal:manage_booking", args=[manage_token(appointment)])
    return f"{(base_url or site_url()).rstrip('/')}{path}"


def _context(appointment: Appointment, base_url: str | None) -> dict:
    tz = appointment.location.tz
    return {
        "appointment": appointment,
        "local_start": appointment.start.astimezone(tz),
        "local_end": appointment.end.astimezone(tz),
        "location": appointment.location,
        "manage_url": manage_url(appointment, base_url),
        "settings": ClinicSettings.load(),
    }


def _send(subject: str, template: str, context: dict, to: str, ics: bytes | None = None) -> None:
    attachments = []
    if ics is not None:
        attachments.append(("appointment.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8"))
    queue_email(
        to=to,
        subject=subject,
        body=render_to_string(f"scheduling/email/{template}", context),
        attachments=attachments,
        kind=f"booking.{template.removesuffix('.txt')}",
    )


# Apps above scheduling add to a booking confirmation without scheduling naming them: intake
# adds the link to fill in the intake before the first visit. Each provider gets the appointment
# and the site's base URL (no trailing slash) and returns template context, maybe empty.
ConfirmationExtra = Callable[[Appointment, str], dict]
_confirmation_extras: list[ConfirmationExtra] = []


def add_to_confirmations(extra: ConfirmationExtra) -> None:
    """Have ``extra`` add context to every booking confirmation (from an app's ``ready()``)."""
    if extra not in _confirmation_extras:
        _confirmation_extras.append(extra)


def send_confirmation(appointment: Appointment, base_url: str | None = None) -> None:
    if not appointment.patient.email:
        return
    with written_for(appointment.patient):
        _send_confirmation(appointment, base_url)


def _send_confirmation(appointment: Appointment, base_url: str | None) -> None:
    context = _context(appointment, base_url)
    for extra in _confirmation_extras:
        context.update(extra(appointment, (base_url or site_url()).rstrip("/")))
    _send(
        _("Your appointment at %(clinic)s") % {"clinic": appointment.location.name},
        "confirmation.txt",
        context,
        appointment.patient.email,
        appointment_invite(appointment),
    )


def send_moved(appointment: Appointment, base_url: str | None = None) -> None:
    if not appointment.patient.email:
        return
    with written_for(appointment.patient):
        _send(
            _("Your appointment at %(clinic)s has moved") % {"clinic": appointment.location.name},
            "moved.txt",
            _context(appointment, base_url),
            appointment.patient.email,
            appointment_invite(appointment),
        )


def send_cancelled(appointment: Appointment, base_url: str | None = None) -> None:
    if not appointment.patient.email:
        return
    with written_for(appointment.patient):
        _send(
            _("Your appointment at %(clinic)s is cancelled")
            % {"clinic": appointment.location.name},
            "cancelled.txt",
            _context(appointment, base_url),
            appointment.patient.email,
            appointment_invite(appointment),
        )


def send_reminder(appointment: Appointment, base_url: str | None = None) -> None:
    with written_for(appointment.patient):
        _send(
            _("Reminder: your appointment at %(clinic)s") % {"clinic": appointment.location.name},
            "reminder.txt",
            _context(appointment, base_url),
            appointment.patient.email,
        )


def send_booking_request(
    patient: Patient,
    appointment_type: AppointmentType,
    practitioner: Practitioner | None,
    start: dt.datetime,
    location: Location,
    base_url: str | None = None,
) -> None:
    """Send the owner of a patient's address a link to confirm a returning-patient booking."""
    token = booking_request_token(
        patient_id=patient.pk,
        appointment_type_id=appointment_type.pk,
        practitioner_id=practitioner and practitioner.pk,
        start=start,
    )
    path = reverse("portal:confirm_booking_request", args=[token])
    with written_for(patient):
        _send(
            _("Confirm your appointment at %(clinic)s") % {"clinic": location.name},
            "booking_request.txt",
            {
                "appointment_type": appointment_type,
                "practitioner": practitioner,
                "local_start": start.astimezone(location.tz),
                "location": location,
                "confirm_url": f"{(base_url or site_url()).rstrip('/')}{path}",
            },
            patient.email,
        )


def send_not_booked(email: str, appointment_type: AppointmentType, location: Location | None):
    """Tell the owner of the address that a returning-patient visit could not be booked."""
    _send(
        _("About your booking request"),
        "not_booked.txt",
        {"appointment_type": appointment_type, "location": location},
        email,
    )
