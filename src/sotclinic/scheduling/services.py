"""Every write to the schedule: one transaction each.

No double booking holds in two layers. The services check for an overlap and insert in one
transaction (on SQLite every transaction is IMMEDIATE, so writers never interleave), and the
database itself refuses an overlapping insert or update from any code path: PostgreSQL's
exclusion constraint `appointment_no_overlap` (migration 0003), SQLite's triggers of the same
name (migration 0004). Either refusal becomes SlotTaken here.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.accounts.events import record_account_event
from sotclinic.accounts.models import AccountEvent
from sotclinic.clinic_locale import date_text, time_text
from sotclinic.compiled_queries import converted, model_converters
from sotclinic.patients.models import Patient
from sotclinic.patients.services import register_patient

from . import notifications, waitlist
from .errors import (
    BookingError,
    ChangeNotAllowed,
    NotBookableOnline,
    OutsideOpeningHours,
    SlotNotOffered,
    SlotTaken,
)
from .links import BadLink, booking_request_for_token
from .models import (
    Appointment,
    AppointmentChange,
    AppointmentType,
    CancellationReason,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
    WaitlistEntry,
)
from .selectors import Slot, free_slots, online_appointment_types, within_opening_hours
from .self_service import patient_change_refusal
from .self_service import patient_may_change as patient_may_change  # used by the portal

NO_OVERLAP_CONSTRAINT = "appointment_no_overlap"
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE

Channel = AppointmentChange.Channel
Change = AppointmentChange.Action


# --- The appointment's history ---------------------------------------------------------------


def _named(pk: int, name: str) -> dict:
    return {"id": pk, "name": name}


def snapshot(appointment: Appointment) -> dict:
    """What the history keeps of an appointment, as JSON-ready values (times in UTC; the
    names as they read at the time)."""
    return {
        "start": appointment.start.astimezone(dt.UTC).isoformat(),
        "end": appointment.end.astimezone(dt.UTC).isoformat(),
        "practitioner": _named(appointment.practitioner_id, appointment.practitioner.display_name),
        "location": _named(appointment.location_id, appointment.location.name),
        "appointment_type": _named(
            appointment.appointment_type_id, appointment.appointment_type.name
        ),
        "patient": _named(appointment.patient_id, appointment.patient.full_name),
        "status": appointment.status,
    }


# Who acted when no staff user did, by the door they came through.
ANONYMOUS_ACTORS = {
    Channel.ONLINE: "online booking",
    Channel.API: "online booking",
    Channel.PATIENT_LINK: "patient via link",
}


def record_change(
    appointment: Appointment,
    action: str,
    *,
    channel: str,
    user=None,
    before: dict | None = None,
    now: dt.datetime | None = None,
    new_patient: bool = False,
) -> AppointmentChange | None:
    """Append one row to the appointment's history, inside the caller's transaction.

    ``before`` is `snapshot` of the appointment before the change (None for a new booking,
    which records every field as new); only the fields that differ are kept. A change that
    changed nothing records nothing. ``user`` is the staff user who acted, if any.

    Every change of a booked appointment passes here, so here its ``sequence`` (the
    iCalendar SEQUENCE of its invites) goes up by one.

    ``new_patient``: the appointment's patient was created in this same transaction, so has
    no waitlist wishes yet to close (saves the waitlist read on a first booking).
    """
    after = snapshot(appointment)
    before = before or {}
    changed = [key for key in after if before.get(key) != after[key]]
    if before and not changed:
        return None
    if before:
        # Every change after the booking gives the appointment's invites a new SEQUENCE.
        Appointment.objects.filter(pk=appointment.pk).update(sequence=F("sequence") + 1)
        appointment.refresh_from_db(fields=["sequence"])
    if user is not None and user.is_authenticated:
        actor = user.get_full_name() or user.get_username()
    else:
        user, actor = None, ANONYMOUS_ACTORS.get(channel, "system")
    change = AppointmentChange.objects.create(
        appointment=appointment,
        occurred_at=now or timezone.now(),
        user=user,
        actor=actor[:150],
        channel=Channel(channel),
        action=Change(action),
        old={key: before[key] for key in changed if key in before},
        new={key: after[key] for key in changed},
    )
    if not new_patient:
        _update_waitlist(appointment, before, changed, now=change.occurred_at)
    return change


def _update_waitlist(
    appointment: Appointment, before: dict, changed: list[str], *, now: dt.datetime
) -> None:
    """Every change passes `record_change`, so here the waitlist learns of it: a time given
    up (cancelled, or moved away from) is offered to the patients waiting for one like it; a
    time taken closes the patient's wishes that it fits."""
    cancelled = Appointment.Status.CANCELLED
    was_active = bool(before) and before["status"] != cancelled
    is_active = appointment.status != cancelled
    if was_active and (not is_active or {"start", "practitioner"} & set(changed)):
        waitlist.offer_freed_time(
            practitioner_id=before["practitioner"]["id"],
            location_id=before["location"]["id"],
            start=dt.datetime.fromisoformat(before["start"]),
            exclude_patient_id=appointment.patient_id,
            now=now,
        )
    if is_active and (not was_active or set(changed) & set(PLACE_AND_TIME)):
        waitlist.close_fulfilled_wishes(appointment, now=now)


def _tell_patient(
    appointment: Appointment,
    action: str,
    *,
    base_url: str | None,
    now: dt.datetime,
    clinic: ClinicSettings | None = None,
) -> None:
    """Queue the patient's message about a change, in the caller's transaction: every door
    (online booking, the patient's link, staff pages, API, back office) passes here. A change
    to an appointment already over corrects the record and tells the patient nothing.
    ``clinic``: the clinic's settings if the caller has them already (read once a booking)."""
    if appointment.end <= now:
        return
    if action == Change.BOOKED:
        notifications.send_confirmation(appointment, base_url, now, clinic=clinic)
    elif action == Change.MOVED:
        notifications.send_moved(appointment, base_url, now)
    elif action == Change.CANCELLED:
        notifications.send_cancelled(appointment, base_url, now)


def _staff_channel(by, by_patient: bool = False) -> str:
    if by_patient:
        return Channel.PATIENT_LINK
    return Channel.STAFF if by is not None else Channel.SYSTEM


def _is_overlap_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None) or str(exc)
    return NO_OVERLAP_CONSTRAINT in name


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _save_without_overlap(
    appointment: Appointment, *, savepoint: bool = True, **save_kwargs
) -> None:
    """Save inside a savepoint; the database's overlap refusal becomes SlotTaken.

    PostgreSQL checks the no-overlap constraint after writing the row, so two transactions
    writing overlapping appointments at once may each wait for the other's outcome; it then
    aborts one write as a deadlock. That write lost the time, as if the other had committed
    first: SlotTaken too, and the savepoint keeps the transaction around it usable. Any
    deadlock on this one row's write is taken as that: refused whole, and may be tried again.

    ``savepoint=False``: the caller's transaction block ends on SlotTaken without another
    statement (it rolls back whole), so the write needs no savepoint of its own (on
    PostgreSQL two round trips fewer)."""
    try:
        if savepoint:
            with transaction.atomic():
                appointment.save(**save_kwargs)
        else:
            appointment.save(**save_kwargs)
    except IntegrityError as exc:
        if _is_overlap_violation(exc):
            raise SlotTaken() from exc
        raise
    except OperationalError as exc:
        if _is_deadlock(exc):
            raise SlotTaken() from exc
        raise


def _overlapping(
    practitioner_id: int,
    start: dt.datetime,
    until: dt.datetime,
    exclude_pk: int | None = None,
    exclude_pks: Iterable[int] = (),
):
    query = Appointment.objects.filter(
        practitioner_id=practitioner_id, start__lt=until, blocked_until__gt=start
    ).exclude(status=Appointment.Status.CANCELLED)
    excluded = {*exclude_pks, *([] if exclude_pk is None else [exclude_pk])}
    if excluded:
        query = query.exclude(pk__in=excluded)
    return query.order_by("start").first()


def refuse_overlap(
    practitioner: Practitioner,
    start: dt.datetime,
    until: dt.datetime,
    exclude_pk=None,
    exclude_pks: Iterable[int] = (),
) -> None:
    """Raise SlotTaken, naming the clashing time, if [start, until) overlaps an active
    appointment of the practitioner (other than `exclude_pk` and `exclude_pks`)."""
    clash = _overlapping(practitioner.pk, start, until, exclude_pk, exclude_pks)
    if clash is not None:
        tz = clash.location.tz
        raise SlotTaken(
            _(
                "%(practitioner)s already has an appointment from %(start)s to %(end)s "
                "(including clean-up time) on that day; pick another time."
            )
            % {
                "practitioner": practitioner.display_name,
                "start": time_text(clash.start.astimezone(tz)),
                "end": time_text(clash.blocked_until.astimezone(tz)),
            }
        )


def _times(
    kind: AppointmentType, start: dt.datetime, minutes: int | None = None
) -> tuple[dt.datetime, dt.datetime]:
    end = start + dt.timedelta(minutes=kind.duration_minutes if minutes is None else minutes)
    return end, Appointment.busy_until(end, kind)


def refuse_foreign_location(practitioner: Practitioner, location: Location) -> None:
    """Raise BookingError unless ``practitioner`` works at ``location``."""
    if not practitioner.locations.filter(pk=location.pk).exists():
        raise BookingError(
            _(
                "%(practitioner)s does not work at %(location)s; choose a practitioner who "
                "works there."
            )
            % {"practitioner": practitioner.display_name, "location": location.name},
            "practitioner",
        )


def length_minutes(appointment: Appointment) -> int:
    return int((appointment.end - appointment.start).total_seconds() // 60)


def refuse_length(kind: AppointmentType, minutes: int) -> None:
    """Raise BookingError unless an appointment of ``kind`` may last ``minutes``."""
    if minutes not in kind.lengths:
        raise BookingError(
            _(
                "A %(type)s appointment can last %(lengths)s minutes, not %(minutes)s; pick one "
                "of those lengths."
            )
            % {
                "type": kind.name,
                "lengths": ", ".join(str(length) for length in kind.lengths),
                "minutes": minutes,
            },
            "length",
        )


def _offered_slots(
    kind: AppointmentType,
    start: dt.datetime,
    practitioner_ids: list[int] | None,
    *,
    now: dt.datetime,
    ignore_appointments: bool = False,
    exclude_appointment_id: int | None = None,
    settings: ClinicSettings | None = None,
    cached_hours: bool = False,
) -> list[Slot]:
    """The slots starting exactly at `start` (any of the given practitioners)."""
    day = start.astimezone(dt.UTC).date()
    slots = free_slots(
        kind,
        day - dt.timedelta(days=1),
        3,
        practitioner_ids=practitioner_ids,
        now=now,
        ignore_appointments=ignore_appointments,
        exclude_appointment_id=exclude_appointment_id,
        settings=settings,
        cached_hours=cached_hours,
    )
    return [s for s in slots if s.start == start]


def _check_offered(
    kind,
    start,
    practitioner_ids,
    *,
    now,
    exclude_appointment_id=None,
    settings=None,
    cached_hours: bool = False,
):
    """The free slots at `start`; SlotTaken if only appointments stand in the way, else
    SlotNotOffered (past, too soon, too far ahead, outside hours).

    ``cached_hours``: look first with the opening hours from the cache (before a write
    transaction, which checks the chosen slot's hours again); a refusal is only ever given on
    the hours read from the database."""
    if start <= now:
        raise SlotNotOffered(_("That time is in the past; pick a time from the list."))
    for from_cache in (True, False) if cached_hours else (False,):
        candidates = _offered_slots(
            kind,
            start,
            practitioner_ids,
            now=now,
            exclude_appointment_id=exclude_appointment_id,
            settings=settings,
            cached_hours=from_cache,
        )
        if candidates:
            return candidates
    if _offered_slots(
        kind, start, practitioner_ids, now=now, ignore_appointments=True, settings=settings
    ):
        raise SlotTaken()
    raise SlotNotOffered()


def _online_type(appointment_type_id: int) -> AppointmentType:
    """The active type bookable online with this id, from the cached list of them (read from
    the database inside a transaction)."""
    for kind in online_appointment_types():
        if kind.pk == appointment_type_id:
            return kind
    raise NotBookableOnline(_("There is no such appointment type to book online."))


def match_patient(email: str, date_of_birth: dt.date) -> Patient | None:
    """The patient with this e-mail (any case) and date of birth, if there is one."""
    return Patient.objects.first_with_email(email, date_of_birth)


# How long after an online booking the same request counts as a retry of it. Long enough
# for a person to retry after an error page; short enough that details known to someone else
# do not open the booking days later.
RETRY_WINDOW = dt.timedelta(hours=1)


def _same_name(given: str, stored: str) -> bool:
    return given.strip().casefold() == stored.strip().casefold()


def _existing_online_booking(
    patient: Patient,
    kind: AppointmentType,
    practitioner_id: int | None,
    start: dt.datetime,
    *,
    now: dt.datetime,
) -> Appointment | None:
    """The patient's own online booking of this type at this start (with this practitioner,
    if one was asked for), still booked and made within RETRY_WINDOW."""
    found = Appointment.objects.filter(
        patient=patient,
        appointment_type=kind,
        start=start,
        booked_online=True,
        status=Appointment.Status.BOOKED,
        created_at__gte=now - RETRY_WINDOW,
    )
    if practitioner_id is not None:
        found = found.filter(practitioner_id=practitioner_id)
    # Asked by a returning patient's every booking and rarely found: a plain look first, the
    # booking with its related rows only when there is one.
    pk = found.order_by("pk").values_list("pk", flat=True).first()
    if pk is None:
        return None
    return Appointment.objects.select_related(
        "practitioner", "appointment_type", "location", "patient"
    ).get(pk=pk)


@dataclass(frozen=True)
class _Places:
    """The practitioners and locations of some candidate slots, by id."""

    practitioners: dict[int, Practitioner]
    locations: dict[int, Location]


# `_places` in one statement written out: a booking reads it on every request, and the ORM
# queries (two, the practitioners' one joining the type twice) cost five times more to put
# together than to run; each is also a round trip to PostgreSQL. Every candidate location
# comes with every offering practitioner: a slot is bookable only with both.
_OFFERING_PLACES = """
SELECT {columns} FROM scheduling_practitioner p
  JOIN scheduling_appointmenttype_practitioners offers ON offers.practitioner_id = p.id
  JOIN scheduling_appointmenttype kind ON kind.id = offers.appointmenttype_id
  JOIN scheduling_location l ON l.id IN ({locations})
 WHERE p.active AND kind.id = %s AND kind.active AND kind.bookable_online
   AND p.id IN ({practitioners})
"""


def _placeholders(values: set) -> str:
    return ", ".join(["%s"] * len(values))


def _from_row(model, values, converters: dict, connection):
    """The model instance from its columns' values (in concrete field order), as Django
    makes it from a query (``converters``: ``model_converters``)."""
    return model.from_db(connection.alias, None, converted(values, converters, connection))


def _places(kind: AppointmentType, candidates: list[Slot]) -> _Places:
    """The candidates' practitioners that are active and offer ``kind``, and their locations,
    from the database (the candidates may come from cached opening hours, ``kind`` from the
    cached types: a type no longer active or bookable online has no practitioners here). Read
    before the write transaction: only their names, time zones and ids are used there, and
    each slot's hours are checked again inside it. A location is read only with a
    practitioner (no practitioner offering the type: none)."""
    if not candidates:
        return _Places({}, {})
    practitioner_ids = {s.practitioner_id for s in candidates}
    location_ids = {s.location_id for s in candidates}
    connection = connections[Practitioner.objects.db]
    quote = connection.ops.quote_name
    practitioner_fields = Practitioner._meta.concrete_fields
    columns = [f"p.{quote(f.column)}" for f in practitioner_fields] + [
        f"l.{quote(f.column)}" for f in Location._meta.concrete_fields
    ]
    sql = _OFFERING_PLACES.format(
        columns=", ".join(columns),
        locations=_placeholders(location_ids),
        practitioners=_placeholders(practitioner_ids),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*location_ids, kind.pk, *practitioner_ids])
        rows = cursor.fetchall()
    split = len(practitioner_fields)
    practitioner_converters = model_converters(Practitioner, connection)
    location_converters = model_converters(Location, connection)
    practitioners: dict[int, Practitioner] = {}
    locations: dict[int, Location] = {}
    for row in rows:
        if row[0] not in practitioners:
            practitioners[row[0]] = _from_row(
                Practitioner, row[:split], practitioner_converters, connection
            )
        if row[split] not in locations:
            locations[row[split]] = _from_row(
                Location, row[split:], location_converters, connection
            )
    return _Places(practitioners, locations)


def _book_listed_slot(
    kind: AppointmentType,
    candidates: list[Slot],
    start: dt.datetime,
    patient: Patient | None,
    new_patient: dict,
    *,
    base_url: str | None,
    now: dt.datetime,
    channel: str,
    places: _Places | None = None,
    clinic: ClinicSettings | None = None,
    taken_ends_transaction: bool = False,
) -> Appointment:
    """Book `start` for `patient` (or a patient created from `new_patient`) with the first of
    the `candidates` (slots `_check_offered` found, computed before the write transaction)
    still free, and queue the confirmation. Inside the caller's transaction.

    Only the chosen slot is checked again: the practitioner's opening hours for that one
    interval, and the database's overlap refusal on insert. ``places`` (`_places` of the
    candidates) and ``clinic`` (the clinic's settings) when the caller read them already.
    ``taken_ends_transaction``: on SlotTaken the caller's transaction block rolls back with no
    other statement, so the last candidate's write needs no savepoint."""
    start = start.astimezone(dt.UTC)  # as the database gives it back
    end, until = _times(kind, start)
    places = places or _places(kind, candidates)
    practitioners, locations = places.practitioners, places.locations
    appointment, open_somewhere, created = None, False, False
    last = len(candidates) - 1
    for index, slot in enumerate(candidates):
        if slot.practitioner_id not in practitioners or slot.location_id not in locations:
            continue  # no longer active, offering the type, or there
        if not within_opening_hours(
            practitioners[slot.practitioner_id], locations[slot.location_id], start, end
        ):
            continue  # the hours changed since the slots were listed
        open_somewhere = True
        if patient is None:
            patient = Patient.objects.create(
                **new_patient, consent_to_contact=True, consent_recorded_at=now
            )
            created = True
        candidate = Appointment(
            practitioner=practitioners[slot.practitioner_id],
            location=locations[slot.location_id],
            patient=patient,
            appointment_type=kind,
            start=start,
            end=end,
            blocked_until=until,
            booked_online=True,
        )
        try:
            _save_without_overlap(
                candidate, savepoint=not (taken_ends_transaction and index == last)
            )
        except SlotTaken:
            continue  # taken a moment ago by another request; try the next practitioner
        appointment = candidate
        break
    if appointment is None:
        raise SlotTaken() if open_somewhere else SlotNotOffered()
    # The saved instance carries its related rows (read above in this transaction), so the
    # history and the confirmation need no second read of it.
    record_change(appointment, Change.BOOKED, channel=channel, now=now, new_patient=created)
    _tell_patient(appointment, Change.BOOKED, base_url=base_url, now=now, clinic=clinic)
    return appointment


def _outside_hours_override(appointment: Appointment, override_by, *, now: dt.datetime) -> None:
    """Refuse a time outside the practitioner's opening hours unless staff said they mean it;
    record who said so, and when, on the appointment (and clear it once the time is inside)."""
    if within_opening_hours(
        appointment.practitioner, appointment.location, appointment.start, appointment.end
    ):
        appointment.outside_hours_by, appointment.outside_hours_at = None, None
        return
    if override_by is None:
        tz = appointment.location.tz
        raise OutsideOpeningHours(
            _(
                "%(start)s–%(end)s is outside %(practitioner)s's opening hours at %(location)s "
                "(or in a break, day off or holiday). Check the time; to book it anyway, tick "
                '"Book outside opening hours".'
            )
            % {
                "start": date_text(appointment.start.astimezone(tz), "long_day_month")
                + ", "
                + time_text(appointment.start.astimezone(tz)),
                "end": time_text(appointment.end.astimezone(tz)),
                "practitioner": appointment.practitioner.display_name,
                "location": appointment.location.name,
            }
        )
    appointment.outside_hours_by, appointment.outside_hours_at = override_by, now


@dataclass(frozen=True)
class BookingOutcome:
    """What `book_online` did: booked ``appointment``, or (``appointment`` None) received a
    request for a returning-patient type. A request gets one and the same outcome whether or
    not the details matched a patient, so an adapter cannot tell the two apart either."""

    appointment: Appointment | None = None

    @property
    def booked(self) -> bool:
        return self.appointment is not None


REQUEST_RECEIVED = BookingOutcome()


def book_online(
    *,
    appointment_type_id: int,
    practitioner_id: int | None,
    start: dt.datetime,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    date_of_birth: dt.date,
    consent: bool,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    channel: str = Channel.ONLINE,
    language: str = "",
) -> "BookingOutcome":
    """Book a listed free slot for a patient from the public page or the API (``channel``
    says which, for the appointment's history).

    `practitioner_id=None` means the first practitioner free at that time. An existing patient
    is matched by e-mail and date of birth; otherwise a patient is created. Raises SlotTaken
    when the time is no longer free, SlotNotOffered when it never was, NotBookableOnline.
    Queues the confirmation in the outbox and returns the booked outcome.

    A type that only returning patients may book online is never booked here: the answer is
    REQUEST_RECEIVED whether or not the details match a patient, and nothing an anonymous
    visitor can see changes. The e-mail tells the owner of the address: a link to confirm the
    booking (`confirm_booking_request`) when the details match a patient, a notice when they
    do not.

    A retry by the same person (the matched patient, giving the name on the record) of a
    booking made within RETRY_WINDOW returns that booking and writes nothing, so a lost
    answer never turns into "taken" or a second booking.

    ``language``: the one the person chose on the page; a new patient's messages are written
    in it (an existing patient keeps the language on their record).
    """
    now = now or timezone.now()
    if not consent:
        raise BookingError(_("Please agree so that we can keep your details."), "consent")
    kind = _online_type(appointment_type_id)

    if not kind.new_patients_may_book_online:
        patient = match_patient(email, date_of_birth)
        # Answer on the slot alone, before and apart from the match.
        _check_offered(kind, start, None if practitioner_id is None else [practitioner_id], now=now)
        location = Location.objects.order_by("pk").first()
        with transaction.atomic():
            if patient is None:
                notifications.send_not_booked(email.strip(), kind, location)
            else:
                practitioner = (
                    None
                    if practitioner_id is None
                    else Practitioner.objects.get(pk=practitioner_id)
                )
                notifications.send_booking_request(
                    patient, kind, practitioner, start, location, base_url
                )
        return REQUEST_RECEIVED

    def retry(patient: Patient | None) -> Appointment | None:
        if (
            patient is not None
            and _same_name(first_name, patient.first_name)
            and _same_name(last_name, patient.last_name)
        ):
            return _existing_online_booking(patient, kind, practitioner_id, start, now=now)
        return None

    # The free slots are computed here, before the write transaction (on SQLite it holds the
    # one write lock from its first statement); inside it only the chosen slot is checked.
    # The clinic's settings are read once (from the cache) for the slots and the message.
    clinic = ClinicSettings.load()
    practitioner_ids = None if practitioner_id is None else [practitioner_id]
    try:
        candidates = _check_offered(
            kind, start, practitioner_ids, now=now, settings=clinic, cached_hours=True
        )
    except (SlotTaken, SlotNotOffered):
        # Perhaps by this same person a moment ago (a lost answer, a second click): answer
        # with that booking, whatever the slot's state now.
        repeated = retry(match_patient(email, date_of_birth))
        if repeated is not None:
            return BookingOutcome(repeated)
        raise
    places = _places(kind, candidates)
    new_patient = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
        "date_of_birth": date_of_birth,
        "preferred_language": language,
    }
    with transaction.atomic():
        # Matched inside the transaction: the same request a moment ago, or another one, may
        # have created the patient or booked this very slot for them.
        patient = match_patient(email, date_of_birth)
        repeated = retry(patient)
        if repeated is not None:
            return BookingOutcome(repeated)
        try:
            booked = _book_listed_slot(
                kind,
                candidates,
                start,
                patient,
                new_patient,
                base_url=base_url,
                now=now,
                channel=channel,
                places=places,
                clinic=clinic,
                # A new patient has no booking to retry: SlotTaken rolls this block back.
                taken_ends_transaction=patient is None,
            )
        except SlotTaken:
            repeated = retry(patient)
            if repeated is None:
                raise
            return BookingOutcome(repeated)
    return BookingOutcome(booked)


@transaction.atomic
def confirm_booking_request(
    token: str, *, base_url: str | None = None, now: dt.datetime | None = None
) -> Appointment:
    """Book what a returning patient asked for, from the link e-mailed to them.

    Raises BadLink for a tampered or expired link, and the booking errors of `book_online`.
    Confirming twice returns the booking made the first time.
    """
    now = now or timezone.now()
    request = booking_request_for_token(token)
    patient = Patient.objects.filter(pk=request["patient_id"]).first()
    if patient is None:
        raise BadLink()
    kind = _online_type(request["appointment_type_id"])
    practitioner_id, start = request["practitioner_id"], request["start"]
    repeated = _existing_online_booking(patient, kind, practitioner_id, start, now=now)
    if repeated is not None:
        return repeated
    practitioner_ids = None if practitioner_id is None else [practitioner_id]
    return _book_listed_slot(
        kind,
        _check_offered(kind, start, practitioner_ids, now=now),
        start,
        patient,
        {},
        base_url=base_url,
        now=now,
        channel=Channel.PATIENT_LINK,
    )


def staff_booking(
    *,
    patient: Patient | None,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    location: Location,
    start: dt.datetime,
    outside_hours_by=None,
    now: dt.datetime,
) -> Appointment:
    """The appointment a staff booking at ``start`` would write, unsaved, once it has passed the
    staff booking rules: not in the past, inside the practitioner's opening hours unless
    ``outside_hours_by`` confirmed it (OutsideOpeningHours), not overlapping (SlotTaken).

    `book_appointment` saves it; a series plan checks each of its times with it, reading only.
    """
    if start <= now:
        raise SlotNotOffered(_("That time is in the past."))
    refuse_foreign_location(practitioner, location)
    end, until = _times(appointment_type, start)
    appointment = Appointment(
        practitioner=practitioner,
        patient=patient,
        location=location,
        appointment_type=appointment_type,
        start=start,
        end=end,
        blocked_until=until,
    )
    _outside_hours_override(appointment, outside_hours_by, now=now)
    refuse_overlap(practitioner, start, until)
    return appointment


@transaction.atomic
def book_appointment(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    location: Location,
    start: dt.datetime,
    outside_hours_by=None,
    by=None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Appointment:
    """Book by staff (``by``, the user): any time that is not past and not overlapping.

    A time outside the practitioner's opening hours (or in a break, day off or holiday) raises
    OutsideOpeningHours unless ``outside_hours_by`` names the staff user who confirmed it;
    the appointment then records that user and the time of the confirmation.

    Queues the patient's confirmation with its invite (and the intake link while the patient
    has not completed one), unless ``notify`` is off: an appointment carried over from another
    system was already agreed with the patient there.
    """
    now = now or timezone.now()
    appointment = staff_booking(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        location=location,
        start=start,
        outside_hours_by=outside_hours_by,
        now=now,
    )
    _save_without_overlap(appointment)
    record_change(appointment, Change.BOOKED, channel=_staff_channel(by), user=by, now=now)
    if notify:
        _tell_patient(appointment, Change.BOOKED, base_url=base_url, now=now)
    return appointment


@transaction.atomic
def book_new_patient(
    *,
    patient_data: dict,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    location: Location,
    start: dt.datetime,
    outside_hours_by=None,
    by=None,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Register a patient from the demographics form's data and book them, both or neither.

    The registration is `patients.services.register_patient` (which refuses a duplicate and
    logs it, ``address`` being the staff user's client address); the booking is
    `book_appointment` with its rules.
    """
    patient = register_patient(by, patient_data, address=address)
    return book_appointment(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        location=location,
        start=start,
        outside_hours_by=outside_hours_by,
        by=by,
        now=now,
    )


def _lock(appointment: Appointment) -> Appointment:
    # Only the appointment's own row, and so that rows pointing at it may still be written:
    # locking the joined location, practitioner and patient rows too made a booking's commit
    # (its foreign-key checks on them) and a move or cancellation deadlock on PostgreSQL.
    return (
        Appointment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("practitioner", "appointment_type", "location", "patient")
        .get(pk=appointment.pk)
    )


def _check_patient_may_change(appointment: Appointment, now: dt.datetime) -> None:
    refusal = patient_change_refusal(appointment, now)
    if refusal is not None:
        raise ChangeNotAllowed(refusal)


def staff_move(
    appointment: Appointment,
    start: dt.datetime,
    *,
    practitioner: Practitioner | None = None,
    minutes: int | None = None,
    outside_hours_by=None,
    also_moving: Iterable[int] = (),
    now: dt.datetime,
) -> Appointment:
    """Give ``appointment`` (changed in place, unsaved) the new start, practitioner and length
    once they pass the staff rules for a move: not cancelled, not in the past, a practitioner
    of the appointment's location, a length its type allows (``minutes``; None keeps the
    length it has), inside opening hours unless ``outside_hours_by`` confirmed it
    (OutsideOpeningHours), not overlapping another appointment (SlotTaken) other than those
    of ``also_moving``, which move away in the same change.

    `move_appointment` saves it; a series' move checks each of its times with it on a copy."""
    if appointment.status == Appointment.Status.CANCELLED:
        raise ChangeNotAllowed(_("A cancelled appointment cannot be moved; book a new one."))
    if start <= now:
        raise SlotNotOffered(_("That time is in the past."))
    if practitioner is not None:
        appointment.practitioner = practitioner
    refuse_foreign_location(appointment.practitioner, appointment.location)
    if minutes is None:
        minutes = length_minutes(appointment)
    elif minutes != length_minutes(appointment):
        refuse_length(appointment.appointment_type, minutes)
    end, until = _times(appointment.appointment_type, start, minutes)
    appointment.start, appointment.end, appointment.blocked_until = start, end, until
    _outside_hours_override(appointment, outside_hours_by, now=now)
    refuse_overlap(
        appointment.practitioner, start, until, exclude_pk=appointment.pk, exclude_pks=also_moving
    )
    return appointment


@transaction.atomic
def move_appointment(
    appointment: Appointment,
    start: dt.datetime,
    *,
    practitioner: Practitioner | None = None,
    minutes: int | None = None,
    by_patient: bool = False,
    outside_hours_by=None,
    by=None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    tell_patient: bool = True,
) -> Appointment:
    """Move to a new start (and optionally another practitioner, or another length in
    ``minutes``, one of its type's lengths); ``by`` is the staff user.

    Staff may move to any future time that does not overlap, outside opening hours only with
    ``outside_hours_by`` as in `book_appointment` (see `staff_move`); a patient only to a
    listed free slot of the same practitioner, keeping the type's length, and only outside
    the cancellation window.

    Queues the patient's message with the invite of the new time (a REQUEST of a higher
    SEQUENCE), whoever moved it, unless ``tell_patient`` is False because the caller sends
    one message about several changes.
    """
    now = now or timezone.now()
    appointment = _lock(appointment)
    before = snapshot(appointment)
    if by_patient:
        _check_patient_may_change(appointment, now)
        _check_offered(
            appointment.appointment_type,
            start,
            [appointment.practitioner_id],
            now=now,
            exclude_appointment_id=appointment.pk,
        )
        end, until = _times(appointment.appointment_type, start)
        appointment.start, appointment.end, appointment.blocked_until = start, end, until
        refuse_overlap(appointment.practitioner, start, until, exclude_pk=appointment.pk)
    else:
        staff_move(
            appointment,
            start,
            practitioner=practitioner,
            minutes=minutes,
            outside_hours_by=outside_hours_by,
            now=now,
        )
    appointment.reminder_sent_at = None
    _save_without_overlap(appointment)
    channel = _staff_channel(by, by_patient)
    changed = record_change(
        appointment, Change.MOVED, channel=channel, user=by, before=before, now=now
    )
    if changed and tell_patient:
        _tell_patient(appointment, Change.MOVED, base_url=base_url, now=now)
    return appointment


def cancels_late(appointment: Appointment, now: dt.datetime) -> bool:
    """Whether cancelling at ``now`` falls inside the clinic's cancellation window."""
    window = dt.timedelta(hours=ClinicSettings.load().cancellation_window_hours)
    return appointment.start - now < window


def refuse_staff_cancel(appointment: Appointment) -> None:
    """Raise ChangeNotAllowed unless staff may cancel the appointment: only while booked
    (one that is cancelled already is left as it is)."""
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CANCELLED):
        raise ChangeNotAllowed(
            _("This appointment is marked %(get_status_display)s; it cannot be cancelled.")
            % {"get_status_display": appointment.get_status_display().lower()}
        )


@transaction.atomic
def cancel_appointment(
    appointment: Appointment,
    *,
    reason: str = "",
    note: str = "",
    by_patient: bool = False,
    by=None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    tell_patient: bool = True,
    channel: str | None = None,
) -> Appointment:
    """Cancel; the time is free again at once. Patients only outside the cancellation window.
    ``by`` is the staff user who cancelled, ``reason`` a CancellationReason and ``note``
    free text; ``channel`` the door it came through, when not the staff pages or the
    patient's link. Queues the patient's message with a CANCEL invite, whoever cancelled,
    unless ``tell_patient`` is False because the caller sends one message about several.

    A cancellation inside the clinic's cancellation window is flagged late
    (``cancelled_late``), unless the clinic itself cancelled (reason CLINIC): the flag counts
    against the patient in the attendance report.
    """
    now = now or timezone.now()
    appointment = _lock(appointment)
    if appointment.status == Appointment.Status.CANCELLED:
        return appointment
    if by_patient:
        _check_patient_may_change(appointment, now)
    else:
        refuse_staff_cancel(appointment)
    if reason and reason not in CancellationReason.values:
        raise BookingError(_("Choose one of the listed reasons."), "reason")
    before = snapshot(appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = now
    appointment.cancellation_reason = reason
    appointment.cancellation_note = note.strip()[:300]
    appointment.cancelled_late = reason != CancellationReason.CLINIC and cancels_late(
        appointment, now
    )
    appointment.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancellation_reason",
            "cancellation_note",
            "cancelled_late",
        ]
    )
    channel = channel or _staff_channel(by, by_patient)
    record_change(appointment, Change.CANCELLED, channel=channel, user=by, before=before, now=now)
    if tell_patient:
        _tell_patient(appointment, Change.CANCELLED, base_url=base_url, now=now)
    return appointment


ALLOWED_STATUS_CHANGES = {
    Appointment.Status.ARRIVED: {Appointment.Status.BOOKED},
    Appointment.Status.NO_SHOW: {Appointment.Status.BOOKED},
    Appointment.Status.COMPLETED: {Appointment.Status.BOOKED, Appointment.Status.ARRIVED},
    Appointment.Status.BOOKED: {Appointment.Status.ARRIVED, Appointment.Status.NO_SHOW},
}


def _refuse_early_mark(appointment: Appointment, status: str, now: dt.datetime) -> None:
    """Arrived and completed not before the appointment's day, no-show not before its start:
    a mark on the wrong row of the day list would otherwise stand unnoticed."""
    tz = appointment.location.tz
    day = appointment.start.astimezone(tz).date()
    if status in (Appointment.Status.ARRIVED, Appointment.Status.COMPLETED):
        if day > now.astimezone(tz).date():
            wanted = dict(Appointment.Status.choices)[status].lower()
            raise ChangeNotAllowed(
                _("This appointment is on %(day)s; it can be marked %(status)s from that day.")
                % {"day": date_text(day, "long_day_month"), "status": wanted}
            )
    elif status == Appointment.Status.NO_SHOW and appointment.start > now:
        raise ChangeNotAllowed(
            _(
                "This appointment starts at %(time)s on %(day)s; it can be marked a no-show "
                "once that time has passed."
            )
            % {
                "time": time_text(appointment.start.astimezone(tz)),
                "day": date_text(day, "long_day_month"),
            }
        )


@transaction.atomic
def mark_appointment(
    appointment: Appointment, status: str, *, by=None, now: dt.datetime | None = None
) -> Appointment:
    """Mark arrived, no-show or completed (or undo a mistaken arrived/no-show); ``by`` is the
    staff user.

    Raises ChangeNotAllowed for a change the status does not allow, and for marking an
    appointment arrived or completed before its day, or a no-show before its start.
    """
    now = now or timezone.now()
    appointment = _lock(appointment)
    allowed_from = ALLOWED_STATUS_CHANGES.get(status)
    if allowed_from is None or appointment.status not in allowed_from:
        wanted = dict(Appointment.Status.choices).get(status, status).lower()
        raise ChangeNotAllowed(
            _("An appointment that is %(get_status_display)s cannot be marked %(wanted)s.")
            % {"get_status_display": appointment.get_status_display().lower(), "wanted": wanted}
        )
    _refuse_early_mark(appointment, status, now)
    before = snapshot(appointment)
    appointment.status = status
    appointment.save(update_fields=["status"])
    record_change(
        appointment,
        Change.STATUS_CHANGED,
        channel=_staff_channel(by),
        user=by,
        before=before,
        now=now,
    )
    return appointment


def _back_office_action(before: dict | None, after: dict) -> str:
    if not before:
        return Change.BOOKED
    changed = {key for key in after if before.get(key) != after[key]}
    cancelled = Appointment.Status.CANCELLED
    if after["status"] == cancelled and before.get("status") != cancelled:
        return Change.CANCELLED
    if changed & {"start", "end", "practitioner", "location"}:
        return Change.MOVED
    if "status" in changed:
        return Change.STATUS_CHANGED
    return Change.EDITED


def _back_office_message(before: dict | None, appointment: Appointment) -> str | None:
    """What to tell the patient about a back-office save: booked (also a cancelled
    appointment booked again), moved, cancelled, or nothing."""
    cancelled = Appointment.Status.CANCELLED
    was_active = before is not None and before["status"] != cancelled
    is_active = appointment.status != cancelled
    if is_active and not was_active:
        return Change.BOOKED
    if was_active and not is_active:
        return Change.CANCELLED
    after = snapshot(appointment)
    if is_active and any(before[key] != after[key] for key in PLACE_AND_TIME):
        return Change.MOVED
    return None


PLACE_AND_TIME = ("start", "end", "practitioner", "location")


@transaction.atomic
def save_from_back_office(
    appointment: Appointment, *, by, now: dt.datetime | None = None
) -> Appointment:
    """Save an appointment as the back office (``/admin/``) edited it, log the change and
    queue the patient's message about it (booked, moved, cancelled).

    Cancelling a booked appointment goes through `cancel_appointment` (its reason and note
    as the form gave them), so it gets the time of the cancellation and the late flag like
    any other; other changes saved with it are saved first.

    The admin form has checked the overlap already; the database refuses one that races it.
    """
    now = now or timezone.now()
    before = None
    cancelling = None
    if appointment.pk is not None:
        locked = _lock(appointment)
        before = snapshot(locked)
        appointment.sequence = locked.sequence  # the form's copy may be older
        cancelled = Appointment.Status.CANCELLED
        if appointment.status == cancelled and locked.status != cancelled:
            cancelling = (appointment.cancellation_reason, appointment.cancellation_note)
            appointment.status = locked.status
            appointment.cancelled_at, appointment.cancelled_late = None, False
    if cancelling is not None:
        save_from_back_office(appointment, by=by, now=now)
        reason, note = cancelling
        return cancel_appointment(
            appointment, reason=reason, note=note, by=by, now=now, channel=Channel.ADMIN
        )
    _save_without_overlap(appointment)
    action = _back_office_action(before, snapshot(appointment))
    record_change(appointment, action, channel=Channel.ADMIN, user=by, before=before, now=now)
    message = _back_office_message(before, appointment)
    if message is not None:
        _tell_patient(appointment, message, base_url=None, now=now)
    return appointment


@transaction.atomic
def replace_calendar_feed(practitioner: Practitioner, *, by) -> str:
    """Give the practitioner's calendar feed a new secret address (the old one stops working)
    and log who did it; returns the new token."""
    token = practitioner.new_calendar_feed_token()
    practitioner.save(update_fields=["calendar_feed_token"])
    record_account_event(practitioner.user, AccountEvent.Kind.CALENDAR_FEED_REPLACED, by=by)
    return token


@transaction.atomic
def revoke_calendar_feed(practitioner: Practitioner, *, by) -> None:
    """Turn the practitioner's calendar feed off, and log who did it."""
    practitioner.calendar_feed_token = ""
    practitioner.save(update_fields=["calendar_feed_token"])
    record_account_event(practitioner.user, AccountEvent.Kind.CALENDAR_FEED_REVOKED, by=by)


@transaction.atomic
def save_clinic_page(
    *,
    location: Location,
    settings: ClinicSettings,
    practitioners: Iterable[Practitioner] = (),
    faq: Iterable[FaqEntry] = (),
    faq_removed: Iterable[FaqEntry] = (),
) -> None:
    """Save the public page's content and the booking rules together, or nothing.

    Takes the changed rows as checked by the page's forms: the location, the clinic settings
    (page text and booking rules), the practitioners' profiles, the FAQ entries to keep and
    those to remove.
    """
    location.save()
    settings.save()
    for practitioner in practitioners:
        practitioner.save()
    for entry in faq:
        entry.save()
    for entry in faq_removed:
        entry.delete()


@transaction.atomic
def save_clinic_locale(settings: ClinicSettings) -> None:
    """Save the clinic's language, formats and regional defaults, as checked by their form."""
    settings.save()


# --- The waitlist -----------------------------------------------------------------------------


@transaction.atomic
def claim_waitlist_offer(
    token: str, *, base_url: str | None = None, now: dt.datetime | None = None
) -> Appointment:
    """Book the freed time a waitlist offer's link names, for the patient it was sent to,
    through the online booking rules: SlotTaken when someone was quicker, SlotNotOffered
    when the time is no longer bookable online (too soon, past), BadLink for a bad link.
    Following the link again after booking returns that booking; a wish closed otherwise
    (removed, or booked another way) refuses the link with WaitlistError."""
    now = now or timezone.now()
    offer = waitlist.offer_for_token(token)
    entry = offer.entry
    if not entry.is_open:
        booked = entry.booked_appointment
        if (
            booked is not None
            and booked.start == offer.start
            and booked.practitioner_id == offer.practitioner_id
            and booked.status != Appointment.Status.CANCELLED
        ):
            return Appointment.objects.select_related(
                "practitioner", "appointment_type", "location", "patient"
            ).get(pk=booked.pk)
        raise waitlist.WaitlistError(
            _("This waitlist entry is closed; to book, choose a time on the booking page.")
        )
    appointment = _book_listed_slot(
        entry.appointment_type,
        _check_offered(entry.appointment_type, offer.start, [offer.practitioner_id], now=now),
        offer.start,
        entry.patient,
        {},
        base_url=base_url,
        now=now,
        channel=Channel.PATIENT_LINK,
    )
    offer.claimed_at = now
    offer.save(update_fields=["claimed_at"])
    # Booked through the offer, the wish is met even if the booking fell outside it.
    WaitlistEntry.objects.filter(pk=entry.pk, closed_at__isnull=True).update(
        closed_at=now, closed_as=WaitlistEntry.Closed.BOOKED, booked_appointment=appointment
    )
    return appointment


@transaction.atomic
def join_waitlist_online(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    date_of_birth: dt.date,
    consent: bool,
    language: str = "",
    now: dt.datetime | None = None,
    **wish,
) -> WaitlistEntry:
    """Put a visitor of the public booking page on the waitlist: matched to a patient by
    e-mail and date of birth as `book_online` does, else registered. ``wish`` are the
    arguments of `waitlist.add_to_waitlist` about the wish (type, practitioner, days, times,
    dates, note). Offers go to the patient's address on record, never to one typed here."""
    now = now or timezone.now()
    if not consent:
        raise BookingError(_("Please agree so that we can keep your details."), "consent")
    kind = wish["appointment_type"]
    if not (kind.active and kind.bookable_online and kind.new_patients_may_book_online):
        raise NotBookableOnline(_("Please call the clinic to be put on the waitlist for this."))
    patient = match_patient(email, date_of_birth)
    if patient is None:
        patient = Patient.objects.create(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip(),
            phone=phone.strip(),
            date_of_birth=date_of_birth,
            preferred_language=language,
            consent_to_contact=True,
            consent_recorded_at=now,
        )
    return waitlist.add_to_waitlist(
        patient=patient, source=WaitlistEntry.Source.ONLINE, now=now, **wish
    )
