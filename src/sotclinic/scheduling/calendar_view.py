"""The staff calendar: one location's appointments, opening hours, breaks, days off and
holidays laid out on a time grid, one column per (day, practitioner), in the location's
local wall-clock time.

Four queries whatever the number of days, practitioners or appointments: the appointments,
the weekly hours, the breaks and the exceptions (the practitioners are the caller's).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.clinic_locale import date_text, time_text

from .models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    Location,
    Practitioner,
    WeeklyBreak,
    WeeklyHours,
)
from .selectors import LONGEST_APPOINTMENT, exception_applies, local_day_bounds, open_intervals

DAY_MINUTES = 24 * 60
# Shown even on a day nobody works, so an empty grid still reads as a working day.
DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE = 8 * 60, 18 * 60

OPEN, BREAK = "open", "break"
Kind = AvailabilityException.Kind


def _minutes(value: dt.time | None, default: int) -> int:
    return default if value is None else value.hour * 60 + value.minute


@dataclass
class Band:
    """A stretch of a column: open hours, or a break, day off or holiday over them."""

    kind: str  # OPEN, BREAK or an AvailabilityException kind
    label: str
    first: int  # minutes after local midnight
    last: int
    top: float = 0.0  # percent of the column's height
    height: float = 0.0


@dataclass
class CalendarBlock:
    appointment: Appointment
    local_start: dt.datetime
    local_end: dt.datetime
    top: float  # percent of the column's height
    height: float
    is_slot = False

    @property
    def booked(self) -> bool:
        """Still to come: it may be moved or given another length."""
        return self.appointment.status == Appointment.Status.BOOKED

    @property
    def minutes(self) -> int:
        return int((self.local_end - self.local_start).total_seconds() // 60)

    @property
    def short(self) -> bool:
        """Too short on the grid for a second line of text."""
        return (self.local_end - self.local_start) < dt.timedelta(minutes=30)


@dataclass
class FreeSlot:
    """An empty stretch of open time one slot step long, which a click (or the keyboard, on
    its link) books."""

    time: dt.time  # local
    top: float  # percent of the column's height
    height: float
    label: str  # the link's accessible name
    is_slot = True


@dataclass
class CalendarColumn:
    day: dt.date
    practitioner: Practitioner
    blocks: list[CalendarBlock] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    now_top: float | None = None  # where the current-time line goes, on today's columns
    free: list[FreeSlot] = field(default_factory=list)

    @property
    def entries(self) -> list[FreeSlot | CalendarBlock]:
        """The free slots and the appointments in time order: the order the keyboard visits
        them in."""
        return sorted(
            [*self.free, *self.blocks],
            key=lambda e: (e.top, isinstance(e, FreeSlot)),
        )

    @property
    def open_bands(self) -> list[Band]:
        return [b for b in self.bands if b.kind == OPEN]

    @property
    def closed_bands(self) -> list[Band]:
        return [b for b in self.bands if b.kind != OPEN]


@dataclass
class CalendarGrid:
    first_hour: int
    last_hour: int
    columns: list[CalendarColumn]
    now: dt.datetime  # local

    @property
    def first_minute(self) -> int:
        return self.first_hour * 60

    @property
    def span_minutes(self) -> int:
        return (self.last_hour - self.first_hour) * 60

    @property
    def hours(self) -> list[dict]:
        span = self.last_hour - self.first_hour
        return [
            {"time": dt.time(h), "top": 100 * (h - self.first_hour) / span}
            for h in range(self.first_hour, self.last_hour)
        ]


def _exception_label(kind: str, note: str) -> str:
    label = str(Kind(kind).label)
    return f"{label}: {note}" if note else label


def _bands(day, practitioner_id, location_id, hours, breaks, exceptions) -> list[Band]:
    """Open hours (weekly and extra) and what closes them (breaks, days off, holidays)."""
    weekday = day.weekday()
    bands = [
        Band(OPEN, "", _minutes(h.start_time, 0), _minutes(h.end_time, DAY_MINUTES))
        for h in hours
        if (h.practitioner_id, h.weekday) == (practitioner_id, weekday)
    ]
    bands += [
        Band(BREAK, _("Break"), _minutes(b.start_time, 0), _minutes(b.end_time, DAY_MINUTES))
        for b in breaks
        if (b.practitioner_id, b.weekday) == (practitioner_id, weekday)
    ]
    for e in exceptions:
        if not e.first_day <= day <= e.last_day:
            continue
        first, last = _minutes(e.start_time, 0), _minutes(e.end_time, DAY_MINUTES)
        if e.kind == Kind.EXTRA_HOURS:
            if (e.practitioner_id, e.location_id) == (practitioner_id, location_id):
                bands.append(Band(OPEN, _("Extra hours"), first, last))
        elif exception_applies(e, practitioner_id, location_id):
            bands.append(Band(e.kind, _exception_label(e.kind, e.note), first, last))
    return bands


def _free_minutes(
    bands: Sequence[Band], busy: Sequence[tuple[int, int]], step: int, earliest: int
) -> list[int]:
    """The starts (minutes after local midnight, on the clinic's step) of the slots that lie
    wholly in open time, outside breaks and exceptions, clear of appointments (with their
    clean-up time) and not before ``earliest``."""
    closed = [(b.first, b.last) for b in bands if b.kind != OPEN] + list(busy)
    starts = set()
    for band in bands:
        if band.kind != OPEN:
            continue
        minute = max(-(-band.first // step) * step, -(-earliest // step) * step)
        while minute + step <= band.last:
            if not any(a < minute + step and minute < b for a, b in closed):
                starts.add(minute)
            minute += step
    return sorted(starts)


def _rows(queryset, *fields) -> list:
    return list(queryset.order_by().values_list(*fields, named=True))


_TIMES = ("practitioner_id", "weekday", "start_time", "end_time")


def calendar_grid(
    location: Location,
    days: Sequence[dt.date],
    practitioners: Sequence[Practitioner],
    *,
    now: dt.datetime | None = None,
    step: int | None = None,
    stretches: bool = False,
) -> CalendarGrid:
    """The location's calendar for `days` (consecutive) and `practitioners`, one column per
    (day, practitioner) in that order. Cancelled appointments are left out: their time is free.
    The grid spans every hour that anyone works or has an appointment (at least 8 to 18).
    With a ``step`` (minutes), each column lists its free slots of that length from now on
    (`FreeSlot`), for the links that book them; with ``stretches`` too, one link per stretch of
    free time instead, which keeps a week of everyone light."""
    tz = location.tz
    now = (now or timezone.now()).astimezone(tz)
    ids = [p.pk for p in practitioners]
    start, _unused = local_day_bounds(days[0], location)
    _unused, end = local_day_bounds(days[-1], location)
    appointments = list(
        Appointment.objects.filter(
            location=location, practitioner_id__in=ids, start__gte=start, start__lt=end
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "appointment_type")
        .order_by("start")
    )
    hours = _rows(WeeklyHours.objects.filter(location=location, practitioner_id__in=ids), *_TIMES)
    breaks = _rows(WeeklyBreak.objects.filter(location=location, practitioner_id__in=ids), *_TIMES)
    exceptions = _rows(
        AvailabilityException.objects.filter(
            Q(practitioner_id__in=ids) | Q(practitioner__isnull=True),
            Q(location=location) | Q(location__isnull=True),
            first_day__lte=days[-1],
            last_day__gte=days[0],
        ),
        "kind",
        "practitioner_id",
        "location_id",
        "first_day",
        "last_day",
        "start_time",
        "end_time",
        "note",
    )

    columns = {
        (day, p.pk): CalendarColumn(
            day, p, bands=_bands(day, p.pk, location.pk, hours, breaks, exceptions)
        )
        for day in days
        for p in practitioners
    }
    first_minute, last_minute = DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE
    for column in columns.values():
        for band in column.open_bands:
            first_minute, last_minute = min(first_minute, band.first), max(last_minute, band.last)
    placed = []
    for a in appointments:
        s, e = a.start.astimezone(tz), a.end.astimezone(tz)
        column = columns.get((s.date(), a.practitioner_id))
        if column is None:
            continue
        begin = s.hour * 60 + s.minute
        finish = e.hour * 60 + e.minute if e.date() == s.date() else DAY_MINUTES
        first_minute, last_minute = min(first_minute, begin), max(last_minute, finish)
        placed.append((column, a, s, e, begin, finish))

    first_hour, last_hour = first_minute // 60, min(24, -(-last_minute // 60))
    origin, span = first_hour * 60, (last_hour - first_hour) * 60

    def percent(minutes: float) -> float:
        return 100 * (minutes - origin) / span

    busy: dict[tuple, list[tuple[int, int]]] = {}
    for column, a, s, e, begin, finish in placed:
        height = max(100 * (finish - begin) / span, 2)
        column.blocks.append(CalendarBlock(a, s, e, top=percent(begin), height=height))
        until = a.blocked_until.astimezone(tz)
        free_at = until.hour * 60 + until.minute if until.date() == s.date() else DAY_MINUTES
        busy.setdefault((column.day, column.practitioner.pk), []).append((begin, free_at))
    if step:
        _place_free_slots(columns.values(), busy, step, now, percent, span, stretches)
    for column in columns.values():
        for band in column.bands:
            first, last = max(band.first, origin), min(band.last, last_hour * 60)
            band.top, band.height = percent(first), max(100 * (last - first) / span, 0)
        if column.day == now.date():
            column.now_top = percent(now.hour * 60 + now.minute + now.second / 60)
            if not 0 <= column.now_top <= 100:
                column.now_top = None
    return CalendarGrid(first_hour, last_hour, list(columns.values()), now)


def _place_free_slots(
    columns, busy, step: int, now: dt.datetime, percent, span: int, stretches: bool
) -> None:
    today, minute_now = now.date(), now.hour * 60 + now.minute + 1
    for column in columns:
        if column.day < today:
            continue
        earliest = minute_now if column.day == today else 0
        name = column.practitioner.display_name
        day = date_text(column.day, "long_day_month")
        taken = busy.get((column.day, column.practitioner.pk), [])
        runs: list[list[int]] = []  # [first minute, end minute] of each slot or stretch
        for minute in _free_minutes(column.bands, taken, step, earliest):
            if stretches and runs and runs[-1][1] == minute:
                runs[-1][1] = minute + step
            else:
                runs.append([minute, minute + step])
        for first, end in runs:
            time = dt.time(first // 60, first % 60)
            values = {"time": time_text(time), "practitioner": name, "day": day}
            if end - first > step:
                values["end"] = time_text(dt.time(end // 60 % 24, end % 60))
                label = _("Book from %(time)s to %(end)s with %(practitioner)s, %(day)s") % values
            else:
                label = _("Book %(time)s with %(practitioner)s, %(day)s") % values
            column.free.append(FreeSlot(time, percent(first), 100 * (end - first) / span, label))


# How far back a practitioner's bookings count towards the type offered first.
USAGE_PERIOD = dt.timedelta(days=90)


def fitting_types(
    practitioner: Practitioner, location: Location, start: dt.datetime
) -> list[AppointmentType]:
    """The practitioner's active types that fit at `start` (UTC): the visit and its clean-up
    time end before the practitioner's next appointment and, when `start` lies in their open
    hours, before those hours end. The type the practitioner booked most in the last
    USAGE_PERIOD comes first, then the others by name. Empty when another appointment is
    running at `start`."""
    next_start = (
        Appointment.objects.filter(
            practitioner=practitioner,
            blocked_until__gt=start,
            start__lt=start + LONGEST_APPOINTMENT,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    limits = [next_start] if next_start is not None else []
    day = start.astimezone(location.tz).date()
    open_time = open_intervals(
        day - dt.timedelta(days=1), 3, who=Q(practitioner=practitioner), location_id=location.pk
    ).get((practitioner.pk, location.pk), [])
    limits += [b for a, b in open_time if a <= start < b]
    limit = min(limits, default=None)
    kinds = (
        AppointmentType.objects.filter(practitioners=practitioner, active=True)
        .annotate(
            uses=Count(
                "appointments",
                filter=Q(
                    appointments__practitioner=practitioner,
                    appointments__start__gte=start - USAGE_PERIOD,
                ),
            )
        )
        .order_by("-uses", "name")
    )
    return [
        kind
        for kind in kinds
        if limit is None
        or Appointment.busy_until(start + dt.timedelta(minutes=kind.duration_minutes), kind)
        <= limit
    ]
