"""Series of appointments ("twice a week for six weeks"): every occurrence is checked against
the booking rules before anything is written, and the series is booked in one transaction."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.patients.models import Patient

from .errors import BookingError
from .models import Appointment, AppointmentType, Location, Practitioner
from .services import book_appointment, staff_booking

MAX_WEEKS = 26


@dataclass(frozen=True)
class Occurrence:
    start: dt.datetime  # UTC
    conflict: str = ""  # why it cannot be booked as asked; empty when it can


def series_starts(
    first_day: dt.date, time: dt.time, weekdays: Sequence[int], weeks: int, tz: dt.tzinfo
) -> list[dt.datetime]:
    """The starts (UTC) at the local `time` on each of `weekdays` (0 = Monday) in `weeks`
    weeks from the week of `first_day`, none before `first_day`, in time order."""
    monday = first_day - dt.timedelta(days=first_day.weekday())
    days = [
        monday + dt.timedelta(weeks=week, days=weekday)
        for week in range(weeks)
        for weekday in sorted(set(weekdays))
    ]
    return [
        dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)
        for day in days
        if day >= first_day
    ]


def plan_series(
    *,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    location: Location,
    starts: Sequence[dt.datetime],
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Each start with the reason it cannot be booked (past, outside the practitioner's
    opening hours, taken, or clashing with an earlier occurrence of the series); reads only."""
    now = now or timezone.now()
    planned: list[tuple[dt.datetime, dt.datetime]] = []
    occurrences = []
    for start in sorted(starts):
        try:
            candidate = staff_booking(
                patient=None,
                practitioner=practitioner,
                appointment_type=appointment_type,
                location=location,
                start=start,
                now=now,
            )
            until = candidate.blocked_until
            if any(a < until and start < b for a, b in planned):
                raise BookingError(_("Overlaps another appointment of this series."))
        except BookingError as exc:
            occurrences.append(Occurrence(start, str(exc.message)))
        else:
            planned.append((start, until))
            occurrences.append(Occurrence(start))
    return occurrences


@transaction.atomic
def book_series(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    location: Location,
    starts: Sequence[dt.datetime],
    by=None,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Book every start for the patient with `book_appointment`'s rules, all or none: one
    refusal (a time taken since the plan was shown) undoes the whole series."""
    if not starts:
        raise BookingError(_("The series has no appointment left to book."))
    return [
        book_appointment(
            patient=patient,
            practitioner=practitioner,
            appointment_type=appointment_type,
            location=location,
            start=start,
            by=by,
            now=now,
        )
        for start in sorted(starts)
    ]
