"""Reads of the schedule that are more than a plain query."""

import datetime as dt
from dataclasses import dataclass

from .models import Appointment, Location, Practitioner


@dataclass
class PractitionerDay:
    practitioner: Practitioner
    appointments: list[Appointment]


def local_day_bounds(day: dt.date, location: Location) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where a local calendar day at the location starts and ends."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=location.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=location.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def day_schedule(day: dt.date, location: Location) -> list[PractitionerDay]:
    """Each active practitioner at the location with their appointments of that local day.

    Two queries whatever the number of practitioners or appointments.
    """
    start, end = local_day_bounds(day, location)
    practitioners = list(location.practitioners.filter(active=True).order_by("display_name"))
    appointments = (
        Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
        .select_related("patient", "appointment_type", "practitioner")
        .order_by("start")
    )
    by_practitioner: dict[int, list[Appointment]] = {p.pk: [] for p in practitioners}
    for appointment in appointments:
        by_practitioner.setdefault(appointment.practitioner_id, []).append(appointment)
    return [PractitionerDay(p, by_practitioner[p.pk]) for p in practitioners]
