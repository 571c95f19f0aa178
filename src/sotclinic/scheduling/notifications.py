"""Messages to patients about their bookings. They carry times and places, never clinical data.

Each is queued in the outbox inside the caller's transaction: it leaves only if the change is
committed, and a mail-server failure is retried later instead of failing the change. The
scheduling services queue them, whoever made the change (patient link, online booking, staff
pages, API, back office), so no adapter has to remember to.

Consent (``Patient.consent_to_contact``). Messages about an appointment the patient has with
the clinic are part of that appointment and go out whether or not the patient agreed to be
contacted otherwise: the confirmation, a move, a cancellation, the reminder, the link to the
intake before the visit, and answers to a booking request. Anything the patient did not ask
for by booking needs their consent: follow-up questionnaires (``needs_consent=True``).

Channel (``Patient.contact_channel``). E-mail, text message, or both. A text message goes out
only where the outbox can send one and the patient has a phone number; when the chosen
channel cannot be used the message goes by e-mail rather than not at all. The calendar
invite travels only by e-mail.

Every message is written in the patient's language (`written_for`) and names the clinic.
E-mails are multipart: the text from the message's template, and HTML from one layout that
shows that same text.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import DateTimeField
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.messaging import services as outbox
from sotclinic.patients.models import Patient
from sotclinic.patients.phones import is_checked

from . import self_service
from .calendars import appointment_invite, invite_mimetype
from .clinic_locales import written_for
from .links import booking_request_token, manage_token
from .models import Appointment, AppointmentType, ClinicSettings, Location, Practitioner

EMAIL = "email"
SMS = "sms"
Attachment = tuple[str, bytes | str, str]


def site_url() -> str:
    """Where the app is reachable, for links in messages sent outside a request (reminders)."""
    return settings.SITE_URL


def _base(base_url: str | None) -> str:
    return (base_url or site_url()).rstrip("/")


def manage_url(appointment: Appointment, base_url: str | None = None) -> str:
    path = reverse("portal:manage_booking", args=[manage_token(appointment)])
    return f"{_base(base_url)}{path}"


def clinic_name(location: Location | None = None) -> str:
    """The name messages go out under: the location's, else the clinic's first location's."""
    location = location or Location.objects.order_by("pk").first()
    return location.name if location is not None else ""


# --- Sending ----------------------------------------------------------------------------------


def _send(
    channel: str,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    attachments: Iterable[Attachment] = (),
    kind: str,
    patient: Patient | None,
    sender_name: str,
    compose: tuple[str, dict] | None = None,
) -> None:
    """The one place that hands a message to the outbox, with the patient it is for and the
    clinic's name as the sender's display name. ``compose``: an e-mail written when sent."""
    if channel == SMS:
        outbox.queue_sms(to=to, body=body, kind=kind, patient=patient, sender_name=sender_name)
        return
    outbox.queue_email(
        to=to,
        subject=subject,
        body=body,
        html=html,
        attachments=attachments,
        kind=kind,
        patient=patient,
        sender_name=sender_name,
        compose=compose,
    )


def channels_for(patient: Patient) -> list[str]:
    """How to reach ``patient``: their chosen channels that can be used, else e-mail, else
    nothing (no address and no usable phone)."""
    wanted = patient.contact_channel
    email_possible = bool(patient.email)
    # A number kept as typed (not readable as E.164) cannot be texted.
    sms_possible = bool(patient.phone) and is_checked(patient.phone)
    chosen = []
    if wanted in (Patient.ContactChannel.EMAIL, Patient.ContactChannel.BOTH) and email_possible:
        chosen.append(EMAIL)
    if wanted in (Patient.ContactChannel.SMS, Patient.ContactChannel.BOTH) and sms_possible:
        chosen.append(SMS)
    if not chosen and email_possible:
        chosen.append(EMAIL)
    return chosen


def _tidy(text: str) -> str:
    """The text without the blank lines that optional parts of a template leave behind."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _html(text: str, subject: str, sender_name: str) -> str:
    return render_to_string(
        "scheduling/email/layout.html",
        {"text": text, "subject": subject, "clinic_name": sender_name},
    )


def _written(template: str, context: dict, subject: str, sender_name: str) -> tuple[str, str]:
    """An e-mail's text from its template, and its HTML version."""
    body = _tidy(render_to_string(template, {**context, "clinic_name": sender_name}))
    return body, _html(body, subject, sender_name)


def _email(
    to: str,
    subject: str,
    template: str,
    context: dict,
    *,
    kind: str,
    sender_name: str,
    patient: Patient | None = None,
    attachments: Iterable[Attachment] = (),
) -> None:
    body, html = _written(template, context, subject, sender_name)
    _send(
        EMAIL,
        to=to,
        subject=subject,
        body=body,
        html=html,
        attachments=attachments,
        kind=kind,
        patient=patient,
        sender_name=sender_name,
    )


def notify_patient(
    patient: Patient,
    *,
    kind: str,
    subject: str,
    template: str = "",
    context: dict | None = None,
    sms_link: str | Callable[[], str] = "",
    location: Location | None = None,
    attachments: Iterable[Attachment] = (),
    needs_consent: bool = False,
    compose: tuple[str, dict] | None = None,
) -> bool:
    """Queue one message to ``patient`` on each of their channels (see the module's notes on
    consent and channels); True if anything was queued.

    Render inside `written_for(patient)`. ``template`` is the e-mail's text template, or
    ``compose`` (composer, data) has the e-mail written when it is sent (`messaging.services`);
    ``sms_link`` is the link a text message carries after the subject (or what gives it, asked
    only when a text message goes).
    """
    if needs_consent and not patient.consent_to_contact:
        return False
    channels = channels_for(patient)
    sender_name = clinic_name(location)
    if EMAIL in channels and compose is not None:
        _send(
            EMAIL,
            to=patient.email,
            subject=subject,
            body="",
            kind=kind,
            patient=patient,
            sender_name=sender_name,
            compose=compose,
        )
    elif EMAIL in channels:
        _email(
            patient.email,
            subject,
            template,
            context or {},
            kind=kind,
            sender_name=sender_name,
            patient=patient,
            attachments=attachments,
        )
    if SMS in channels:
        link = sms_link() if callable(sms_link) else sms_link
        _send(
            SMS,
            to=patient.phone,
            subject=subject,
            body=" ".join(part for part in (subject, link) if part),
            kind=kind,
            patient=patient,
            sender_name=sender_name,
        )
    return bool(channels)


# --- About an appointment ---------------------------------------------------------------------

# Apps above scheduling add to the messages about an appointment without scheduling naming
# them: intake adds the link to fill in the intake before the first visit. Each provider gets
# the appointment and the site's base URL (no trailing slash), and returns template context,
# maybe empty. Confirmations and reminders carry it; it is asked when the e-mail is written,
# by the sender, in the transaction that keeps the text.
ConfirmationExtra = Callable[[Appointment, str], dict]
_confirmation_extras: list[ConfirmationExtra] = []


def add_to_confirmations(extra: ConfirmationExtra) -> None:
    """Have ``extra`` add context to every booking confirmation and reminder (from an app's
    ``ready()``)."""
    if extra not in _confirmation_extras:
        _confirmation_extras.append(extra)


def _context(
    appointment: Appointment, base_url: str | None, now: dt.datetime, clinic: ClinicSettings
) -> dict:
    tz = appointment.location.tz
    return {
        "appointment": appointment,
        "local_start": appointment.start.astimezone(tz),
        "local_end": appointment.end.astimezone(tz),
        "location": appointment.location,
        "manage_url": manage_url(appointment, base_url),
        "may_change_online": self_service.patient_may_change(appointment, now, clinic),
        "settings": clinic,
    }


def _with_extras(context: dict, appointment: Appointment, base_url: str | None) -> dict:
    for extra in _confirmation_extras:
        context.update(extra(appointment, _base(base_url)))
    return context


def _about_appointment(
    appointment: Appointment,
    kind: str,
    subject: str,
    *,
    base_url: str | None,
    now: dt.datetime | None,
    clinic: ClinicSettings,
    extras: bool = False,
) -> bool:
    """Queue the ``kind`` message (its template is ``scheduling/email/<kind>.txt``) with the
    appointment's invite. ``now`` (the time of the change) decides what the text offers; the
    invite's DTSTAMP is the moment the message is queued.

    The e-mail is written when it is sent (`compose_about_appointment`), from the appointment
    as it is at this change: a change made a moment later has its own message and does not
    alter this one. A text message is written here."""
    now = now or timezone.now()

    def sms_link() -> str:
        if self_service.patient_may_change(appointment, now, clinic):
            return manage_url(appointment, base_url)
        return ""

    return notify_patient(
        appointment.patient,
        kind=f"booking.{kind}",
        subject=subject,
        compose=(
            APPOINTMENT_COMPOSER,
            {
                "template": f"scheduling/email/{kind}.txt",
                "appointment": _state(appointment),
                "now": now.isoformat(),
                "base_url": _base(base_url),
                "extras": extras,
            },
        ),
        sms_link=sms_link,
        location=appointment.location,
    )


APPOINTMENT_COMPOSER = "scheduling.appointment"


def compose_about_appointment(data: dict, message) -> outbox.Composed:
    """The e-mail `_about_appointment` queued: its text and HTML in the patient's language,
    and the invite stamped with the time it was queued. The appointment is the one at the
    change; the practitioner, place and patient are read now."""
    appointment = _from_state(data["appointment"])
    clinic = ClinicSettings.load()
    with written_for(appointment.patient, clinic, appointment.location):
        context = _context(appointment, data["base_url"], _moment(data["now"]), clinic)
        if data["extras"]:
            _with_extras(context, appointment, data["base_url"])
        body, html = _written(data["template"], context, message.subject, message.sender_name)
        invite = appointment_invite(appointment, message.created_at)
    return body, html, [("appointment.ics", invite, invite_mimetype(appointment))]


def _state(appointment: Appointment) -> dict:
    """The appointment's own columns, as JSON: what it was at the change."""
    return {
        field.attname: _json_value(field.value_from_object(appointment))
        for field in Appointment._meta.concrete_fields
    }


def _from_state(state: dict) -> Appointment:
    """The appointment as `_state` wrote it down at the change, as if read from the database
    then; its related rows are read when first used."""
    fields = Appointment._meta.concrete_fields
    values = [
        _moment(state[f.attname]) if isinstance(f, DateTimeField) else state[f.attname]
        for f in fields
    ]
    return Appointment.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values)


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"{type(value).__name__} is not kept in a message's data")


def _moment(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def send_confirmation(
    appointment: Appointment,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    *,
    clinic: ClinicSettings | None = None,
) -> bool:
    """The booking confirmation with a REQUEST invite (and the intake link while needed).
    ``clinic``: the clinic's settings, when the caller read them already for the booking."""
    # Read once for the language, the text and the window.
    clinic = clinic or ClinicSettings.load()
    with written_for(appointment.patient, clinic):
        return _about_appointment(
            appointment,
            "confirmation",
            _("Your appointment at %(clinic)s") % {"clinic": appointment.location.name},
            base_url=base_url,
            now=now,
            clinic=clinic,
            extras=True,
        )


def send_moved(
    appointment: Appointment, base_url: str | None = None, now: dt.datetime | None = None
) -> bool:
    """The new time with a REQUEST invite of a higher SEQUENCE."""
    clinic = ClinicSettings.load()  # read once for the language, the text and the window
    with written_for(appointment.patient, clinic):
        return _about_appointment(
            appointment,
            "moved",
            _("Your appointment at %(clinic)s has moved") % {"clinic": appointment.location.name},
            base_url=base_url,
            now=now,
            clinic=clinic,
        )


def send_cancelled(
    appointment: Appointment, base_url: str | None = None, now: dt.datetime | None = None
) -> bool:
    """The cancellation with a CANCEL invite, which removes the event from the calendar."""
    clinic = ClinicSettings.load()  # read once for the language, the text and the window
    with written_for(appointment.patient, clinic):
        return _about_appointment(
            appointment,
            "cancelled",
            _("Your appointment at %(clinic)s is cancelled")
            % {"clinic": appointment.location.name},
            base_url=base_url,
            now=now,
            clinic=clinic,
        )


def send_reminder(
    appointment: Appointment, base_url: str | None = None, now: dt.datetime | None = None
) -> bool:
    """The reminder with the current invite; its text offers the link to cancel or move while
    the patient may still do so online, and the clinic's phone after that."""
    clinic = ClinicSettings.load()  # read once for the language, the text and the window
    with written_for(appointment.patient, clinic):
        return _about_appointment(
            appointment,
            "reminder",
            _("Reminder: your appointment at %(clinic)s") % {"clinic": appointment.location.name},
            base_url=base_url,
            now=now,
            clinic=clinic,
            extras=True,
        )


def send_series_changed(
    appointments: list[Appointment],
    change: str,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """One message about several appointments of one patient moved (``change`` "moved") or
    cancelled ("cancelled") together: the list of them, with each one's invite attached
    (a REQUEST of the new time, or a CANCEL). Appointments already over are left out."""
    now = now or timezone.now()
    upcoming = [a for a in appointments if a.end > now]
    if not upcoming:
        return False
    first = upcoming[0]
    tz = first.location.tz
    rows = [
        {"appointment": a, "local_start": a.start.astimezone(tz), "local_end": a.end.astimezone(tz)}
        for a in upcoming
    ]
    attachments = [
        (f"appointment-{n}.ics", appointment_invite(a), invite_mimetype(a))
        for n, a in enumerate(upcoming, start=1)
    ]
    with written_for(first.patient, location=first.location):
        if change == "moved":
            subject = _("Your appointments at %(clinic)s have moved") % {
                "clinic": first.location.name
            }
        else:
            subject = _("Your appointments at %(clinic)s are cancelled") % {
                "clinic": first.location.name
            }
        return notify_patient(
            first.patient,
            kind=f"booking.series_{change}",
            subject=subject,
            template=f"scheduling/email/series_{change}.txt",
            context={"rows": rows, "location": first.location, "count": len(rows)},
            location=first.location,
            attachments=attachments,
        )


# --- Booking requests of returning patients ---------------------------------------------------


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
    with written_for(patient, location=location):
        # By e-mail always: the request came with this address and proves its owner asked.
        _email(
            patient.email,
            _("Confirm your appointment at %(clinic)s") % {"clinic": location.name},
            "scheduling/email/booking_request.txt",
            {
                "appointment_type": appointment_type,
                "practitioner": practitioner,
                "local_start": start.astimezone(location.tz),
                "location": location,
                "confirm_url": f"{_base(base_url)}{path}",
            },
            kind="booking.booking_request",
            sender_name=clinic_name(location),
            patient=patient,
        )


def send_not_booked(email: str, appointment_type: AppointmentType, location: Location | None):
    """Tell the owner of the address that a returning-patient visit could not be booked."""
    # No patient record to read a language from: written in the one the page was in.
    name = clinic_name(location)
    _email(
        email,
        _("About your booking request at %(clinic)s") % {"clinic": name},
        "scheduling/email/not_booked.txt",
        {"appointment_type": appointment_type, "location": location},
        kind="booking.not_booked",
        sender_name=name,
    )
