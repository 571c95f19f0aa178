"""iCalendar output: the invite attached to a confirmation and a practitioner's feed."""

from collections.abc import Iterable

import icalendar
from django.utils import timezone

from .models import Appointment, Practitioner

PRODID = "-//sotclinic//scheduling//EN"


def _calendar(method: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def appointment_invite(appointment: Appointment) -> bytes:
    """An .ics for the patient: when, where, with whom. Nothing clinical."""
    cal = _calendar("PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@sotclinic")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add(
        "summary",
        f"{appointment.appointment_type.name} with {appointment.practitioner.display_name}",
    )
    location = appointment.location
    event.add("location", ", ".join([location.name, *location.address.splitlines()]))
    if appointment.status == Appointment.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def practitioner_feed(practitioner: Practitioner, appointments: Iterable[Appointment]) -> bytes:
    """The practitioner's calendar: times and patient initials only."""
    cal = _calendar()
    cal.add("x-wr-calname", f"{practitioner.display_name} – appointments")
    stamp = timezone.now()
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@sotclinic")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", appointment.patient.initials)
        cal.add_component(event)
    return cal.to_ical()
