"""Series of appointments ("twice a week for six weeks"): every occurrence is checked against
the booking rules before anything is written, and the series is booked in one transaction.

Once booked, one appointment and all that follow it in its series can be moved (each by the
same shift of local date and time) or cancelled together: every new time is checked first
and the front desk decides about each conflict before anything is written; the change is
written in one transaction and the patient gets one message about all of it."""

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.patients.models import Patient

from . import notifications
from .errors import BookingError, SlotTaken
from .models import Appointment, AppointmentSeries, AppointmentType, Location, Practitioner
from .services import (
    book_appointment,
    cancel_appointment,
    move_appointment,
    staff_booking,
    staff_move,
)

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


def weeks_from_starts(
    first_day: dt.date, time: dt.time, weekdays: Sequence[int], weeks: int, tz: dt.tzinfo
) -> list[dt.datetime]:
    """The starts (UTC) at the local `time` on each of `weekdays` (0 = Monday) in the `weeks`
    weeks counted from `first_day` itself (whatever its weekday), in time order: each weekday
    falls exactly `weeks` times, so a course of visits starting mid-week is not cut short."""
    chosen = set(weekdays)
    days = [
        first_day + dt.timedelta(days=n)
        for n in range(7 * weeks)
        if (first_day + dt.timedelta(days=n)).weekday() in chosen
    ]
    return [dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC) for day in days]


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
    booked = [
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
    created_by = by if by is not None and by.is_authenticated else None
    kept = AppointmentSeries.objects.create(created_by=created_by, created_at=now or timezone.now())
    Appointment.objects.filter(pk__in=[a.pk for a in booked]).update(series=kept)
    for appointment in booked:
        appointment.series = kept
    return booked


# --- One and all that follow it --------------------------------------------------------------


def following(appointment: Appointment) -> list[Appointment]:
    """The appointment and the booked appointments after it in its series, in time order;
    just the appointment when it belongs to no series."""
    if appointment.series_id is None:
        return [appointment]
    return list(
        Appointment.objects.filter(
            series_id=appointment.series_id,
            start__gte=appointment.start,
            status=Appointment.Status.BOOKED,
        )
        .select_related("patient", "practitioner", "appointment_type", "location")
        .order_by("start")
    )


def shifted(appointment: Appointment, shift: dt.timedelta) -> dt.datetime:
    """The appointment's start moved by ``shift`` of local date and time (so 09:00 stays
    09:00 across a change of summer time), in UTC."""
    tz = appointment.location.tz
    local = appointment.start.astimezone(tz).replace(tzinfo=None) + shift
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def local_shift(appointment: Appointment, new_start: dt.datetime) -> dt.timedelta:
    """The shift of local date and time that takes the appointment to ``new_start``."""
    tz = appointment.location.tz
    old = appointment.start.astimezone(tz).replace(tzinfo=None)
    return new_start.astimezone(tz).replace(tzinfo=None) - old


@dataclass(frozen=True)
class PlannedMove:
    appointment: Appointment
    start: dt.datetime  # UTC, the new start asked for
    conflict: str = ""  # why it cannot move there; empty when it can


def plan_move(
    moves: Mapping[Appointment, dt.datetime], *, now: dt.datetime | None = None
) -> list[PlannedMove]:
    """Each appointment's new start with the reason it cannot move there (the staff move
    rules of `services.staff_move`, or a clash with another new time of the same change);
    the appointments moving together do not stand in each other's way. Reads only."""
    now = now or timezone.now()
    moving = [a.pk for a in moves]
    planned: list[tuple[int, dt.datetime, dt.datetime]] = []
    result = []
    for appointment, start in sorted(moves.items(), key=lambda item: item[1]):
        candidate = copy.copy(appointment)
        try:
            staff_move(candidate, start, also_moving=moving, now=now)
            clash = any(
                who == candidate.practitioner_id and a < candidate.blocked_until and start < b
                for who, a, b in planned
            )
            if clash:
                raise BookingError(_("Overlaps another appointment of this series."))
        except BookingError as exc:
            result.append(PlannedMove(appointment, start, str(exc.message)))
        else:
            planned.append((candidate.practitioner_id, start, candidate.blocked_until))
            result.append(PlannedMove(appointment, start))
    return result


@transaction.atomic
def move_following(
    moves: Mapping[Appointment, dt.datetime],
    *,
    by=None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Move each appointment to its new start with `services.move_appointment`'s rules, all
    or none, and send the patient one message listing the new times.

    The new times have been checked together (`plan_move`); one that is refused now (taken
    since) undoes the whole change. The moves are written in an order in which no
    appointment lands on the old time of one that has not moved yet."""
    now = now or timezone.now()
    if not moves:
        raise BookingError(_("There is no appointment left to move."))
    refused = [p for p in plan_move(moves, now=now) if p.conflict]
    if refused:
        raise SlotTaken(refused[0].conflict)
    pending = sorted(moves.items(), key=lambda item: item[1])
    moved = []
    while pending:
        waiting, last_error = [], None
        for appointment, start in pending:
            try:
                moved.append(
                    move_appointment(appointment, start, by=by, now=now, tell_patient=False)
                )
            except SlotTaken as exc:  # the old time of one still to move
                waiting.append((appointment, start))
                last_error = exc
        if len(waiting) == len(pending):
            raise last_error
        pending = waiting
    moved.sort(key=lambda a: a.start)
    notifications.send_series_changed(moved, "moved", base_url=base_url, now=now)
    return moved


@transaction.atomic
def cancel_following(
    appointments: Sequence[Appointment],
    *,
    reason: str,
    note: str = "",
    by=None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Cancel each appointment with `services.cancel_appointment` (one reason for all; each
    flagged late or not by its own start), all or none, and send the patient one message."""
    now = now or timezone.now()
    if not appointments:
        raise BookingError(_("There is no appointment left to cancel."))
    cancelled = [
        cancel_appointment(a, reason=reason, note=note, by=by, now=now, tell_patient=False)
        for a in sorted(appointments, key=lambda a: a.start)
    ]
    notifications.send_series_changed(cancelled, "cancelled", base_url=base_url, now=now)
    return cancelled
