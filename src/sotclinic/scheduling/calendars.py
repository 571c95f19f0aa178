"""iCalendar output: the invites sent to a patient and a practitioner's feed.

Invites follow iTIP (RFC 5546): a booked or moved appointment is a ``METHOD:REQUEST``, a
cancelled one a ``METHOD:CANCEL``, each with the clinic as ORGANIZER and the patient as
ATTENDEE. The UID is the same for every invite of one appointment and differs between
installations (it names the host of ``SITE_URL``); SEQUENCE is the appointment's
``sequence``, which every change raises, so a calendar replaces the event it holds with the
newest invite. DTSTAMP is when the invite is made, which is when its message is queued.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Appointment, Location, Practitioner

REQUEST = "REQUEST"
CANCEL = "CANCEL"
# How often a calendar app should fetch the practitioner's feed again (RFC 7986, and the
# older X-PUBLISHED-TTL that some apps still read instead).
FEED_REFRESH = dt.timedelta(minutes=15)


def installation_host() -> str:
    """The host this installation is reached at, from SITE_URL: makes UIDs unique to it."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(appointment: Appointment) -> str:
    """One UID per appointment, the same in every invite and in the feed."""
    return f"appointment-{appointment.pk}@{installation_host()}"


def invite_method(appointment: Appointment) -> str:
    """CANCEL for a cancelled appointment, REQUEST (new or changed) for any other."""
    return CANCEL if appointment.status == Appointment.Status.CANCELLED else REQUEST


def invite_mimetype(appointment: Appointment) -> str:
    """The attachment's Content-Type: iTIP asks for the same method as the calendar's."""
    return f"text/calendar; method={invite_method(appointment)}"


def organizer_address(location: Location) -> str:
    """The clinic's e-mail address: the location's, else the address e-mails are sent from."""
    return location.email or settings.DEFAULT_FROM_EMAIL


def _calendar(method: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{installation_host()}//appointments//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def _address(email: str, name: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params["CN"] = icalendar.vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def _status(appointment: Appointment) -> str:
    return "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED"


def _location_text(location: Location) -> str:
    return ", ".join([location.name, *(line for line in location.address.splitlines() if line)])


def _event(appointment: Appointment, stamp: dt.datetime, summary: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", stamp)
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", summary)
    event.add("location", _location_text(appointment.location))
    event.add("status", _status(appointment))
    return event


def appointment_invite(appointment: Appointment, now: dt.datetime | None = None) -> bytes:
    """The patient's invite: when, where, with whom; nothing clinical. REQUEST or CANCEL
    (see `invite_method`), stamped ``now`` (the time it is queued).

    The patient is the ATTENDEE with PARTSTAT=ACCEPTED and RSVP=FALSE: the time was agreed
    with them (booked by them, or with them by phone), and the clinic reads no replies.
    """
    method = invite_method(appointment)
    cal = _calendar(method)
    summary = _("%(appointment_type)s with %(practitioner)s") % {
        "appointment_type": appointment.appointment_type.name,
        "practitioner": appointment.practitioner.display_name,
    }
    event = _event(appointment, now or timezone.now(), summary)
    location, patient = appointment.location, appointment.patient
    event.add("organizer", _address(organizer_address(location), location.name))
    event.add(
        "attendee",
        _address(
            patient.email,
            patient.full_name,
            cutype="INDIVIDUAL",
            role="REQ-PARTICIPANT",
            partstat="ACCEPTED",
            rsvp="FALSE",
        ),
    )
    if method == REQUEST:
        event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()


def practitioner_feed(practitioner: Practitioner, appointments: Iterable[Appointment]) -> bytes:
    """The practitioner's calendar: times, place, status and patient initials only.

    Cancelled appointments stay in it as STATUS:CANCELLED, so a calendar that kept the event
    shows it as cancelled rather than silently dropping it.
    """
    cal = _calendar()
    cal.add("x-wr-calname", f"{practitioner.display_name} – appointments")
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))
    stamp = timezone.now()
    for appointment in appointments:
        cal.add_component(_event(appointment, stamp, appointment.patient.initials))
    return cal.to_ical()
