"""Reads of the schedule that are more than a plain query."""

import bisect
import datetime as dt
import functools
import itertools
import zoneinfo
from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from sotclinic.compiled_queries import CompiledQuery
from sotclinic.patients.models import Patient

from . import schedule_cache
from .models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    Location,
    Practitioner,
    WeeklyBreak,
    WeeklyHours,
)


@dataclass
class DayAppointment:
    """An appointment as a day list shows it, read as plain values: a busy day's hundred
    model rows, each with its patient and type, cost more than the rest of the page."""

    pk: int
    start: dt.datetime
    end: dt.datetime
    status: str
    practitioner_id: int
    patient_id: int
    patient_name: str
    type_name: str


@dataclass
class PractitionerDay:
    practitioner: Practitioner
    appointments: list[DayAppointment]


@dataclass(frozen=True)
class LocationRoster:
    """A location and its active practitioners by display name: a day list's columns."""

    location: Location
    practitioners: tuple[Practitioner, ...]


def location_rosters() -> list[LocationRoster]:
    """Every location by name, each with its active practitioners by display name.

    Outside transactions this is read from the cache under the rules version, which every
    save or delete of a location or a practitioner and every change to who works where bumps
    (`signals.py`): the locations and their rosters change seldom, and the day list reads them
    on every page.
    """
    return schedule_cache.cached(
        _location_rosters, "location-rosters", schedule_cache.rules_version
    )


def _location_rosters() -> list[LocationRoster]:
    works_at = (
        Practitioner.locations.through.objects.filter(practitioner__active=True)
        .select_related("practitioner")
        .order_by("practitioner__display_name", "practitioner_id")
    )
    rosters: dict[int, list[Practitioner]] = {}
    for link in works_at:
        rosters.setdefault(link.location_id, []).append(link.practitioner)
    return [
        LocationRoster(location, tuple(rosters.get(location.pk, ())))
        for location in Location.objects.order_by("name")
    ]


def local_day_bounds(day: dt.date, location: Location) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where a local calendar day at the location starts and ends."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=location.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=location.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def day_schedule(
    day: dt.date,
    location: Location,
    also: Mapping[str, Any] | None = None,
    practitioners: Sequence[Practitioner] | None = None,
) -> list[PractitionerDay]:
    """Each active practitioner at the location with their appointments of that local day.

    One query for the appointments whatever the number of practitioners or appointments; the
    practitioners are the location's roster (`location_rosters`) unless the caller, who has
    it already, passes them. The appointments carry what a day list shows (times, status, the
    patient's name, the type's name) and no more; ``also`` names expressions over an
    appointment that an app above this one wants read in the same query (the day list's
    visits: ``charting.selectors.day_visit_columns``), set on each appointment under those
    names.
    """
    start, end = local_day_bounds(day, location)
    if practitioners is None:
        rosters = {r.location.pk: r.practitioners for r in location_rosters()}
        practitioners = rosters.get(location.pk, ())
    rows = _day_appointments(also or _NO_COLUMNS).rows(location.pk, start, end)
    by_practitioner: dict[int, list[DayAppointment]] = {p.pk: [] for p in practitioners}
    names = tuple(also or ())
    for pk, begins, ends, status, practitioner_id, patient_id, first, last, kind, *more in rows:
        appointment = DayAppointment(
            *(pk, begins, ends, status, practitioner_id, patient_id),
            Patient.join_name(first, last),
            kind,
        )
        for name, value in zip(names, more, strict=True):
            setattr(appointment, name, value)
        by_practitioner.setdefault(practitioner_id, []).append(appointment)
    return [PractitionerDay(p, by_practitioner[p.pk]) for p in practitioners]


_NO_COLUMNS: Mapping[str, Any] = MappingProxyType({})
# The appointments query of `day_schedule`, compiled once per set of ``also`` columns (with
# the mapping it was made from): putting it together (the visit columns are a join and a
# subquery) costs more than running it. A caller passing a new mapping each time gets a new
# query each time.
_day_queries: dict[tuple[str, ...], tuple[Mapping[str, Any], CompiledQuery]] = {}


def _patients_column(name: str) -> Subquery:
    """A column of the appointment's patient, looked up by its key row by row. A join would
    let PostgreSQL read the whole patients table into a hash to name the day's few dozen."""
    return Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).order_by().values(name)[:1])


def _day_appointments(also: Mapping[str, Any]) -> CompiledQuery:
    names = tuple(also)
    kept = _day_queries.get(names)
    if kept is None or kept[0] is not also:
        query = CompiledQuery(
            lambda location_id, start, end: (
                Appointment.objects.filter(location_id=location_id, start__gte=start, start__lt=end)
                .order_by("start")
                .values_list(
                    *("pk", "start", "end", "status", "practitioner_id", "patient_id"),
                    _patients_column("first_name"),
                    _patients_column("last_name"),
                    "appointment_type__name",
                    *also.values(),
                )
            )
        )
        kept = _day_queries[names] = (also, query)
    return kept[1]


# --- Free slots --------------------------------------------------------------------------
#
# free_slots composes three steps, each a function of its own:
#   open_intervals   when each practitioner is open at each location (the opening-hours rule),
#   busy_intervals   when each practitioner is taken by an appointment (with its buffer),
#   candidate_starts which starts on the step grid fit the open time and miss the busy time.

# No appointment lasts longer than this; it bounds the query for appointments that started
# before the range but still run into it, so the query never scans all of history.
LONGEST_APPOINTMENT = dt.timedelta(days=1)
# Local days are at most 14 hours away from UTC; widen the UTC window by that much.
UTC_SLACK = dt.timedelta(hours=14)


@dataclass(frozen=True, order=True)
class Slot:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC, without the buffer
    practitioner_id: int
    location_id: int


@dataclass(frozen=True)
class BookingWindow:
    """Bounds on a slot's start: never in the past, not too soon, not too far ahead."""

    earliest: dt.datetime
    latest: dt.datetime | None

    def admits(self, start: dt.datetime) -> bool:
        return start >= self.earliest and (self.latest is None or start <= self.latest)


def booking_window(settings: ClinicSettings, now: dt.datetime | None = None) -> BookingWindow:
    now = now or timezone.now()
    return BookingWindow(
        earliest=now + dt.timedelta(minutes=settings.min_notice_minutes),
        latest=now + dt.timedelta(days=settings.horizon_days),
    )


Interval = tuple[dt.datetime, dt.datetime]  # [start, end) in UTC
# (practitioner_id, location_id) -> that practitioner's open time there, sorted
OpenTime = dict[tuple[int, int], list[Interval]]
# A named tuple from `values_list(..., named=True)`: weekly hours, breaks or exceptions.
Row = Any
ZoneMap = dict[int, zoneinfo.ZoneInfo]  # location_id -> its time zone


def _local_interval(
    day: dt.date, start: dt.time | None, end: dt.time | None, tz: dt.tzinfo
) -> Interval:
    """Local wall-clock times on a day as a UTC interval; DST shifts come out right because
    each end is converted on its own (a 9-17 day is 8 real hours, 0-4 on the spring-forward
    night is 3). No start means midnight; no end, the next midnight."""
    begin = dt.datetime.combine(day, start or dt.time.min, tzinfo=tz)
    if end is None:
        finish = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    else:
        finish = dt.datetime.combine(day, end, tzinfo=tz)
    return begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)


def _subtract(intervals: list[Interval], cut: Interval) -> list[Interval]:
    out = []
    for a, b in intervals:
        if cut[1] <= a or cut[0] >= b:
            out.append((a, b))
            continue
        if a < cut[0]:
            out.append((a, cut[0]))
        if cut[1] < b:
            out.append((cut[1], b))
    return out


def _days(start_day: dt.date, days: int) -> list[dt.date]:
    return [start_day + dt.timedelta(days=offset) for offset in range(days)]


def exception_applies(exc: Row, practitioner_id: int, location_id: int) -> bool:
    """A day off is the practitioner's own; a holiday without a practitioner closes for all.
    Either applies at its location only, or everywhere when it names none."""
    if exc.location_id is not None and exc.location_id != location_id:
        return False
    if exc.kind == AvailabilityException.Kind.HOLIDAY:
        return exc.practitioner_id in (None, practitioner_id)
    return exc.practitioner_id == practitioner_id


def _hours(
    hours_rows: Sequence[Row], extra_hours: Sequence[Row], zones: ZoneMap, days: Sequence[dt.date]
) -> OpenTime:
    """Weekly hours on their weekdays plus extra hours on their days, unsorted. Every
    (practitioner, location) with hours or extra hours gets an entry, if only an empty one."""
    open_by: OpenTime = {(r.practitioner_id, r.location_id): [] for r in hours_rows}
    open_by.update({(e.practitioner_id, e.location_id): [] for e in extra_hours})
    for day in days:
        weekday = day.weekday()
        for h in hours_rows:
            if h.weekday == weekday:
                interval = _local_interval(day, h.start_time, h.end_time, zones[h.location_id])
                open_by[(h.practitioner_id, h.location_id)].append(interval)
        for e in extra_hours:
            if e.first_day <= day <= e.last_day:
                interval = _local_interval(day, e.start_time, e.end_time, zones[e.location_id])
                open_by[(e.practitioner_id, e.location_id)].append(interval)
    return open_by


def _closed(
    key: tuple[int, int],
    breaks: Sequence[Row],
    closures: Sequence[Row],
    tz: dt.tzinfo,
    days: Sequence[dt.date],
) -> list[Interval]:
    """The practitioner's breaks, days off and holidays at the location, as UTC intervals."""
    practitioner_id, location_id = key
    cuts = []
    for day in days:
        for b in breaks:
            if (b.practitioner_id, b.location_id, b.weekday) == (*key, day.weekday()):
                cuts.append(_local_interval(day, b.start_time, b.end_time, tz))
        for e in closures:
            if e.first_day <= day <= e.last_day and exception_applies(
                e, practitioner_id, location_id
            ):
                cuts.append(_local_interval(day, e.start_time, e.end_time, tz))
    return cuts


def _open_time(
    hours_rows: Sequence[Row],
    extra_hours: Sequence[Row],
    closures: Sequence[Row],
    breaks: Sequence[Row],
    zones: ZoneMap,
    days: Sequence[dt.date],
) -> OpenTime:
    """Open time from the rows: weekly and extra hours, less breaks, days off and holidays."""
    open_by = _hours(hours_rows, extra_hours, zones, days)
    for key, intervals in open_by.items():
        for cut in _closed(key, breaks, closures, zones[key[1]], days):
            intervals = _subtract(intervals, cut)
        open_by[key] = sorted(intervals)
    return open_by


_TIMES = ("practitioner_id", "location_id", "weekday", "start_time", "end_time")
_EXCEPTION = (
    "kind",
    "practitioner_id",
    "location_id",
    "first_day",
    "last_day",
    "start_time",
    "end_time",
    "location__time_zone",
)


def _rows(queryset, *fields) -> list[Row]:
    """Plain named tuples rather than model instances: this is the hot path of booking."""
    return list(queryset.values_list(*fields, named=True))


def open_intervals(
    start_day: dt.date, days: int, *, who: Q, location_id: int | None = None
) -> OpenTime:
    """Open time of the practitioners matched by `who` (a filter on `practitioner…`) in
    `days` local days from `start_day`, per (practitioner, location), in UTC, sorted: their
    weekly hours and extra hours, less breaks, days off and holidays; at one location or all.

    The reading of the opening hours: the slots offered online come here, and the check of one
    time (`within_opening_hours`, inside bookings' transactions) reads the same rows for one
    practitioner at one location in one statement (`_open_time_at`); both make them open time
    with `_open_time`. At most three queries; a (practitioner, location) with any hours at all
    has an entry, empty if it is closed on every one of the days.
    """
    hours = WeeklyHours.objects.filter(who).order_by()
    if location_id is not None:
        hours = hours.filter(location_id=location_id)
    hours_rows = _rows(hours, *_TIMES, "location__time_zone")
    last_day = start_day + dt.timedelta(days=days - 1)
    exceptions = _rows(
        AvailabilityException.objects.filter(
            Q(first_day__lte=last_day, last_day__gte=start_day),
            who | Q(practitioner__isnull=True),
        ).order_by(),
        *_EXCEPTION,
    )
    extra_hours = [
        e
        for e in exceptions
        if e.kind == AvailabilityException.Kind.EXTRA_HOURS
        and (location_id is None or e.location_id == location_id)
    ]
    closures = [e for e in exceptions if e.kind != AvailabilityException.Kind.EXTRA_HOURS]
    practitioner_ids = {h.practitioner_id for h in hours_rows} | {
        e.practitioner_id for e in extra_hours
    }
    if not practitioner_ids:
        return {}
    zones = {h.location_id: zoneinfo.ZoneInfo(h.location__time_zone) for h in hours_rows}
    zones.update({e.location_id: zoneinfo.ZoneInfo(e.location__time_zone) for e in extra_hours})
    breaks = _rows(
        WeeklyBreak.objects.filter(
            practitioner_id__in=practitioner_ids, location_id__in=list(zones)
        ).order_by(),
        *_TIMES,
    )
    return _open_time(hours_rows, extra_hours, closures, breaks, zones, _days(start_day, days))


def busy_intervals(
    practitioner_ids: Iterable[int],
    start_day: dt.date,
    days: int,
    *,
    exclude_appointment_id: int | None = None,
) -> dict[int, list[Interval]]:
    """Per practitioner, the time taken by their appointments (all but cancelled ones) that
    reach into the `days` days from `start_day`: each from its start until it is over
    including its buffer (`blocked_until`), sorted by start. One query."""
    busy: dict[int, list[Interval]] = {p: [] for p in practitioner_ids}
    if not busy:
        return busy
    last_day = start_day + dt.timedelta(days=days - 1)
    range_start = dt.datetime.combine(start_day, dt.time.min, tzinfo=dt.UTC) - UTC_SLACK
    range_end = dt.datetime.combine(last_day, dt.time.max, tzinfo=dt.UTC) + UTC_SLACK
    moment = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY.format(", ".join(["%s"] * len(busy))),
            [
                *busy,
                moment(range_start - LONGEST_APPOINTMENT),
                moment(range_end),
                moment(range_start),
                Appointment.Status.CANCELLED.value,
            ],
        )
        rows = cursor.fetchall()
    for pk, practitioner_id, start, until in rows:
        if pk != exclude_appointment_id:
            busy[practitioner_id].append((_utc(start), _utc(until)))
    return busy


# `busy_intervals` written out: every listing and every booking's first look read it, and
# putting the ORM query together cost five times more than running it.
_BUSY = """
SELECT id, practitioner_id, start, blocked_until FROM scheduling_appointment
 WHERE practitioner_id IN ({}) AND start >= %s AND start < %s AND blocked_until > %s
   AND NOT (status = %s)
 ORDER BY start
"""


def _utc(value) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite gives it back naive, in UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def candidate_starts(
    open_time: Sequence[Interval],
    busy: Sequence[Interval],
    appointment_type: AppointmentType,
    step: dt.timedelta,
    window: BookingWindow,
) -> list[dt.datetime]:
    """Starts for an appointment of the type: on the step from the start of each open
    interval, inside the booking window, with the whole duration inside the interval, and
    with the appointment and its buffer clear of every busy interval (`busy` sorted by
    start). A busy interval may end exactly where a slot starts, and start exactly where the
    slot's buffer ends."""
    duration = dt.timedelta(minutes=appointment_type.duration_minutes)
    busy_starts = [a for a, _ in busy]
    # reach[i]: the latest end among the first i + 1 busy intervals
    reach = list(itertools.accumulate((b for _, b in busy), max))
    starts = []
    for a, b in open_time:
        # until: when an appointment starting at s would be over, buffer included; it moves
        # on with s, so the buffer is added once per interval, not once per start.
        s, until = a, Appointment.busy_until(a + duration, appointment_type)
        while s + duration <= b:
            # every busy interval that starts before `until` must be over by s
            if window.admits(s):
                i = bisect.bisect_left(busy_starts, until)
                if i == 0 or reach[i - 1] <= s:
                    starts.append(s)
            s, until = s + step, until + step
    return starts


def free_slots(
    appointment_type: AppointmentType,
    start_day: dt.date,
    days: int,
    *,
    practitioner_ids: Sequence[int] | None = None,
    location_id: int | None = None,
    now: dt.datetime | None = None,
    settings: ClinicSettings | None = None,
    window: BookingWindow | None = None,
    ignore_appointments: bool = False,
    exclude_appointment_id: int | None = None,
    cached_hours: bool = False,
) -> list[Slot]:
    """Open start times for the type in `days` local days from `start_day`, sorted by time.

    A slot lies inside a practitioner's weekly hours or extra hours at a location, outside
    breaks, days off and holidays (`open_intervals`), starts on the clinic's step from the
    start of its block, fits its duration before the block ends, and keeps its duration plus
    buffer clear of every active appointment, each with its own buffer (`busy_intervals`,
    `candidate_starts`). Only starts inside the booking window (minimum notice, horizon;
    never the past) count.

    A fixed number of queries, whatever the number of days or appointments.

    ``cached_hours``: take the opening hours from `cached_open_intervals` (a booking's first
    look, which is never its last word).
    """
    settings = settings or ClinicSettings.load()
    window = window or booking_window(settings, now)
    if days <= 0:
        return []
    # Who offers the type is joined into the hours and exceptions queries, not asked apart.
    if cached_hours:
        open_by = cached_open_intervals(
            appointment_type, start_day, days, practitioner_ids, location_id
        )
    else:
        open_by = _offered_open_intervals(
            appointment_type, start_day, days, practitioner_ids, location_id
        )
    if not open_by:
        return []
    practitioners = {p for p, _ in open_by}
    if ignore_appointments:
        busy: dict[int, list[Interval]] = {p: [] for p in practitioners}
    else:
        busy = busy_intervals(
            practitioners, start_day, days, exclude_appointment_id=exclude_appointment_id
        )
    step = dt.timedelta(minutes=settings.slot_step_minutes)
    duration = dt.timedelta(minutes=appointment_type.duration_minutes)
    slots = [
        Slot(s, s + duration, practitioner_id, loc_id)
        for (practitioner_id, loc_id), intervals in open_by.items()
        for s in candidate_starts(intervals, busy[practitioner_id], appointment_type, step, window)
    ]
    slots.sort()
    return slots


def _offered_open_intervals(
    appointment_type: AppointmentType,
    start_day: dt.date,
    days: int,
    practitioner_ids: Sequence[int] | None,
    location_id: int | None,
) -> OpenTime:
    # Who offers the type is joined into the hours and exceptions queries, not asked apart.
    offered = Q(practitioner__appointment_types=appointment_type, practitioner__active=True)
    if practitioner_ids is not None:
        offered &= Q(practitioner_id__in=list(practitioner_ids))
    return open_intervals(start_day, days, who=offered, location_id=location_id)


def cached_open_intervals(
    appointment_type: AppointmentType,
    start_day: dt.date,
    days: int,
    practitioner_ids: Sequence[int] | None = None,
    location_id: int | None = None,
) -> OpenTime:
    """The open time of the practitioners offering the type (`open_intervals`), served for
    `SLOT_CACHE_SECONDS` from the cache under the rules version, which every committed change
    of hours, breaks, exceptions, types, practitioners, locations or clinic settings bumps and
    bookings leave alone. Inside a transaction, or with the cache off, read afresh.

    For a first look only, like `listed_slots`: with a per-process cache a change made on
    another server shows here up to `SLOT_CACHE_SECONDS` late, so whoever acts on this checks
    the database before trusting it either way (booking: `services._check_offered` asks again
    before refusing, and the write transaction checks the chosen slot's hours).
    """
    if not schedule_cache.caching_allowed():  # only the practitioners asked for, then
        return _offered_open_intervals(
            appointment_type, start_day, days, practitioner_ids, location_id
        )
    # Kept for every practitioner offering the type, so bookings with different practitioners
    # on one day share an entry; each one's open time does not depend on the others'.
    open_by = schedule_cache.cached(
        lambda: _offered_open_intervals(appointment_type, start_day, days, None, location_id),
        "open-time",
        schedule_cache.rules_version,
        appointment_type.pk,
        location_id,
        start_day.isoformat(),
        days,
    )
    if practitioner_ids is None:
        return open_by
    wanted = set(practitioner_ids)
    return {key: hours for key, hours in open_by.items() if key[0] in wanted}


def _merged(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted intervals with the touching or overlapping ones joined (weekly hours running on
    into extra hours)."""
    merged: list[Interval] = []
    for a, b in intervals:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def within_opening_hours(
    practitioner: Practitioner, location: Location, start: dt.datetime, end: dt.datetime
) -> bool:
    """Whether [start, end) lies in the practitioner's open time at the location: inside
    their weekly or extra hours, clear of breaks, days off and holidays."""
    first_day = start.astimezone(location.tz).date() - dt.timedelta(days=1)
    days = (end.astimezone(location.tz).date() - first_day).days + 2
    open_by = _open_time_at(practitioner.pk, location, first_day, days)
    intervals = _merged(open_by.get((practitioner.pk, location.pk), []))
    return any(a <= start and end <= b for a, b in intervals)


_TimesRow = namedtuple("_TimesRow", _TIMES)
_ExceptionRow = namedtuple("_ExceptionRow", _EXCEPTION[:-1])

# The rows `open_intervals` reads for one practitioner at one location, in one statement
# written out: a booking reads them inside its write transaction (on SQLite that holds the
# one write lock), and putting the three ORM queries together cost ten times more than
# running them. The NULLs are cast so that PostgreSQL can type the union's columns.
_ONE_PLACE_ROWS = """
SELECT 'hours', NULL, weekday, CAST(NULL AS date), CAST(NULL AS date),
       start_time, end_time, practitioner_id, location_id
  FROM scheduling_weeklyhours WHERE practitioner_id = %s AND location_id = %s
UNION ALL
SELECT 'break', NULL, weekday, NULL, NULL, start_time, end_time, practitioner_id, location_id
  FROM scheduling_weeklybreak WHERE practitioner_id = %s AND location_id = %s
UNION ALL
SELECT 'exception', kind, NULL, first_day, last_day, start_time, end_time, practitioner_id,
       location_id
  FROM scheduling_availabilityexception
 WHERE first_day <= %s AND last_day >= %s AND (practitioner_id = %s OR practitioner_id IS NULL)
"""


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _clock(value) -> dt.time | None:
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def _open_time_at(
    practitioner_id: int, location: Location, start_day: dt.date, days: int
) -> OpenTime:
    """`open_intervals(start_day, days, who=Q(practitioner_id=...), location_id=location.pk)`
    read in one statement: the same rows, made into open time by the same rules. (SQLite
    gives dates and times back as text.)"""
    last_day = start_day + dt.timedelta(days=days - 1)
    p, loc = practitioner_id, location.pk
    with connection.cursor() as cursor:
        cursor.execute(_ONE_PLACE_ROWS, [p, loc, p, loc, last_day, start_day, p])
        rows = cursor.fetchall()
    hours_rows, breaks, extra_hours, closures = [], [], [], []
    for table, kind, weekday, first, last, begin, finish, row_practitioner, row_location in rows:
        begin, finish = _clock(begin), _clock(finish)
        if table == "exception":
            row = _ExceptionRow(
                kind, row_practitioner, row_location, _day(first), _day(last), begin, finish
            )
            if kind != AvailabilityException.Kind.EXTRA_HOURS:
                closures.append(row)
            elif row_location == loc:
                extra_hours.append(row)
        else:
            row = _TimesRow(row_practitioner, row_location, weekday, begin, finish)
            (hours_rows if table == "hours" else breaks).append(row)
    if not hours_rows and not extra_hours:
        return {}
    zones = {loc: location.tz}
    return _open_time(hours_rows, extra_hours, closures, breaks, zones, _days(start_day, days))


_EPOCH = dt.datetime(2000, 1, 3, tzinfo=dt.UTC)


def online_appointment_types() -> list[AppointmentType]:
    """Active types bookable online, by name; cached under the rules version (any change to a
    type bumps it; a booking does not, so the types stay cached while patients book)."""
    return schedule_cache.cached(
        lambda: list(AppointmentType.objects.filter(active=True, bookable_online=True)),
        "online-types",
        schedule_cache.rules_version,
    )


def listed_slots(
    appointment_type: AppointmentType,
    start_day: dt.date,
    days: int,
    *,
    practitioner_ids: Sequence[int] | None = None,
    location_id: int | None = None,
    exclude_appointment_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """`free_slots` for showing to patients, served from a short-lived cache.

    Many patients look at the same days, so a computed listing is cached for
    `SLOT_CACHE_SECONDS` (0: never) under a key made of the schedule version, the type, the
    practitioners, the location, the days asked for and the start of the booking window rounded
    down to the slot step. Every committed write that changes availability (appointments,
    hours, breaks, exceptions, types, practitioners, locations, clinic settings) bumps the
    version, so the next listing is computed afresh; the listing is computed for the whole
    rounded step and cut to the exact window of `now` on every call, so a slot that has moved
    into the past or inside the minimum notice is never shown.

    The version lives in the cache: with several app servers only a shared cache (`REDIS_URL`)
    lets every server see each bump; with a per-process cache a listing may be stale for up to
    `SLOT_CACHE_SECONDS`. A stale slot can at worst be refused with SlotTaken when booked:
    booking never reads this cache, it checks the database inside its transaction (and on
    PostgreSQL the exclusion constraint holds). Inside a transaction this computes afresh.
    """
    if not schedule_cache.caching_allowed():
        return free_slots(
            appointment_type,
            start_day,
            days,
            practitioner_ids=practitioner_ids,
            location_id=location_id,
            now=now,
            exclude_appointment_id=exclude_appointment_id,
        )
    version = schedule_cache.schedule_version()
    settings = ClinicSettings.load()
    window = booking_window(settings, now)
    step = dt.timedelta(minutes=settings.slot_step_minutes)
    window_floor = _EPOCH + (window.earliest - _EPOCH) // step * step
    ids = "any" if practitioner_ids is None else ",".join(map(str, sorted(practitioner_ids)))
    key = schedule_cache.versioned_key(
        "slots",
        version,
        appointment_type.pk,
        ids,
        location_id,
        start_day.isoformat(),
        days,
        exclude_appointment_id,
        int(window_floor.timestamp()),
    )
    slots = cache.get(key)
    if slots is None:
        # Wide enough for every `now` that rounds to the same step; cut to the exact window below.
        wide = BookingWindow(
            earliest=window_floor,
            latest=window.latest and window_floor + (window.latest - window.earliest) + step,
        )
        slots = free_slots(
            appointment_type,
            start_day,
            days,
            practitioner_ids=practitioner_ids,
            location_id=location_id,
            settings=settings,
            window=wide,
            exclude_appointment_id=exclude_appointment_id,
        )
        cache.set(key, slots, schedule_cache.cache_seconds())
    return [s for s in slots if window.admits(s.start)]


def first_available(slots: list[Slot], practitioner_order: Sequence[int] = ()) -> list[Slot]:
    """One slot per start time: any practitioner will do ("first available")."""
    rank = {p: i for i, p in enumerate(practitioner_order)}
    chosen: dict[dt.datetime, Slot] = {}
    for slot in slots:
        current = chosen.get(slot.start)
        if current is None or rank.get(slot.practitioner_id, 1 << 30) < rank.get(
            current.practitioner_id, 1 << 30
        ):
            chosen[slot.start] = slot
    return [chosen[k] for k in sorted(chosen)]


# A patient's appointments, for the staff patient pages --------------------------------------


@functools.cache
def _not_cancelled_starts() -> QuerySet:
    """Patient, start, id and location time zone of every appointment not cancelled. Built
    once, never run itself: each page filters a copy (building it was a third of the call).
    Unordered: the few upcoming rows of a page are compared in Python (the soonest, then the
    first booked), which spares the query its ordering."""
    return (
        Appointment.objects.filter(~Q(status=Appointment.Status.CANCELLED))
        .order_by()
        .values_list("patient_id", "start", "id", "location__time_zone")
    )


# A page's next appointments: compiled once per number of patients up to this many (building
# the query cost five times what running it does, 0.45 ms against 0.08 ms for 25 patients).
_MOST_IDS_COMPILED = 50


def _upcoming(now: dt.datetime, ids) -> QuerySet:
    return _not_cancelled_starts().filter(patient_id__in=ids, start__gte=now)


_NEXT_APPOINTMENTS = CompiledQuery(lambda now, *ids, count: _upcoming(now, ids))


def next_appointments(patient_ids: Iterable[int]) -> dict[int, tuple[dt.datetime, str]]:
    """The next appointment of each of ``patient_ids`` (a page of a list) that has one: its
    start and the time zone of its location, by patient id. One query for the page, whatever
    page it is, instead of a subquery per row of every page before it."""
    ids = list(patient_ids)
    if not ids:
        return {}
    if len(ids) <= _MOST_IDS_COMPILED:
        upcoming = _NEXT_APPOINTMENTS.rows(timezone.now(), *ids, count=len(ids))
    else:
        upcoming = _upcoming(timezone.now(), ids)
    first: dict[int, tuple] = {}
    for patient_id, start, pk, time_zone in upcoming:
        seen = first.get(patient_id)
        if seen is None or (start, pk) < seen[:2]:
            first[patient_id] = (start, pk, time_zone)
    return {patient_id: (start, time_zone) for patient_id, (start, _, time_zone) in first.items()}


def patient_appointments(patient: Patient) -> tuple[list[Appointment], list[Appointment]]:
    """The patient's appointments: upcoming (soonest first) and past (latest first)."""
    now = timezone.now()
    appointments = Appointment.objects.filter(patient=patient).select_related(
        "practitioner", "appointment_type", "location"
    )
    upcoming = list(appointments.filter(start__gte=now).order_by("start"))
    past = list(appointments.filter(start__lt=now).order_by("-start")[:50])
    return upcoming, past


def clinic_zone(location: Location | None = None) -> zoneinfo.ZoneInfo | None:
    """The clinic's clock: ``location``'s time zone, else the first location's (a clinic's
    locations normally share one), else None (the server's)."""
    if location is None:
        location = Location.objects.order_by("pk").first()
    return None if location is None else location.tz


def clinic_today(location: Location | None = None, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the clinic is (``clinic_zone``), else the server's. Money and
    paperwork are dated by it, so an evening payment in New York is not dated tomorrow."""
    now = now or timezone.now()
    zone = clinic_zone(location)
    if zone is None:
        return timezone.localdate(now)
    return now.astimezone(zone).date()


def clinic_locations():
    """Every location, in the order they were added."""
    return Location.objects.order_by("id")


def clinic_practitioners():
    """Every practitioner (active or not: old records still name them), with their account."""
    return Practitioner.objects.select_related("user").order_by("id")


def appointment_records():
    """Every appointment with who, where and what kind, oldest booking first."""
    return Appointment.objects.select_related(
        "patient", "practitioner", "location", "appointment_type"
    ).order_by("id")
