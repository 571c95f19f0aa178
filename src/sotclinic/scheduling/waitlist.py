"""The waitlist: patients' wishes for a time that suits them, and the offers of freed times.

A wish (`WaitlistEntry`) names a type, a practitioner or anyone, the local weekdays and the
local time of day that suit, and maybe a first and a last day. When a time frees up (an
appointment cancelled or moved away: `services.record_change` calls `offer_freed_time`), the
open wishes it fits are offered it through the outbox, the longest-waiting first and at most
`OFFERS_PER_TIME` of them, each with a signed link to book that exact time. Booking goes
through the ordinary online booking service, so the first to follow the link gets it and the
no-double-booking guarantee holds; the others are told it is taken. A time is never offered
twice to the same patient. A wish closes when the patient books a time that fits it
(`close_fulfilled_wishes`, also from `record_change`) or staff remove it.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications
from .clinic_locales import written_for
from .errors import BookingError
from .links import BadLink
from .models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    WaitlistEntry,
    WaitlistOffer,
)
from .selectors import Slot, free_slots

# How many waiting patients one freed time is offered to at once: enough that someone is
# likely to take it soon, few enough that most who follow the link still find it free.
OFFERS_PER_TIME = 3
OFFER_SALT = "sotclinic.scheduling.waitlist-offer"
OFFER_LINK_MAX_AGE = dt.timedelta(days=30)


# --- Matching ---------------------------------------------------------------------------------


def fits(entry: WaitlistEntry, slot: Slot, tz) -> bool:
    """Whether ``slot`` (a time for the entry's type) suits the wish: its practitioner (or
    any), the weekday, the start and end within the time of day, and the days, all read in
    the location's time zone ``tz`` (so a wish for 09:00 means 09:00 there, summer or winter)."""
    if entry.practitioner_id is not None and entry.practitioner_id != slot.practitioner_id:
        return False
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    if start.date() != end.date() or str(start.weekday()) not in entry.weekdays:
        return False
    if start.time() < entry.earliest or end.time() > entry.latest:
        return False
    day = start.date()
    if entry.first_day is not None and day < entry.first_day:
        return False
    return entry.last_day is None or day <= entry.last_day


def open_entries() -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(closed_at__isnull=True)


def _slots_at(
    kind: AppointmentType, practitioner_id: int, location: Location, start: dt.datetime, now
) -> list[Slot]:
    day = start.astimezone(location.tz).date()
    slots = free_slots(
        kind,
        day - dt.timedelta(days=1),
        3,
        practitioner_ids=[practitioner_id],
        location_id=location.pk,
        now=now,
    )
    return [s for s in slots if s.start == start]


# --- Offers -----------------------------------------------------------------------------------


def offer_token(offer: WaitlistOffer) -> str:
    return signing.dumps({"o": offer.pk}, salt=OFFER_SALT, compress=True)


def offer_for_token(token: str) -> WaitlistOffer:
    """The offer a link points to; BadLink when tampered with, expired or gone."""
    try:
        data = signing.loads(token, salt=OFFER_SALT, max_age=OFFER_LINK_MAX_AGE)
        return WaitlistOffer.objects.select_related(
            "entry__patient", "entry__appointment_type", "practitioner", "location"
        ).get(pk=int(data["o"]))
    except (signing.BadSignature, WaitlistOffer.DoesNotExist, KeyError, TypeError, ValueError) as e:
        raise BadLink() from e


def offer_url(offer: WaitlistOffer, base_url: str | None = None) -> str:
    path = reverse("portal:waitlist_offer", args=[offer_token(offer)])
    return f"{(base_url or notifications.site_url()).rstrip('/')}{path}"


def offer_freed_time(
    *,
    practitioner_id: int,
    location_id: int,
    start: dt.datetime,
    exclude_patient_id: int,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> list[WaitlistOffer]:
    """Offer the time starting at ``start`` with the practitioner, just freed, to the open
    wishes it fits, inside the caller's transaction: the longest-waiting first, at most
    `OFFERS_PER_TIME`, never a patient offered this time before, nor the patient who freed it.

    Only a time that the online booking page would list now for the wish's type is offered
    (inside opening hours, free for the type's length and clean-up, within the notice and
    horizon), so the link can be booked as long as no one else was quicker.
    """
    now = now or timezone.now()
    already = WaitlistOffer.objects.filter(
        entry__patient=OuterRef("patient"), practitioner_id=practitioner_id, start=start
    )
    candidates = (
        open_entries()
        .filter(
            Q(practitioner__isnull=True) | Q(practitioner_id=practitioner_id),
            appointment_type__active=True,
            appointment_type__practitioners=practitioner_id,
        )
        .exclude(Exists(already))
        .select_related("patient", "appointment_type")
        .order_by("created_at", "pk")
    )
    candidates = list(candidates.exclude(patient_id=exclude_patient_id))
    if not candidates:
        return []
    location = Location.objects.get(pk=location_id)
    slots_by_type: dict[int, Slot | None] = {}
    offers: list[WaitlistOffer] = []
    patients: set[int] = set()
    for entry in candidates:
        if len(offers) >= OFFERS_PER_TIME:
            break
        if entry.patient_id in patients:
            continue
        kind = entry.appointment_type
        if kind.pk not in slots_by_type:
            found = _slots_at(kind, practitioner_id, location, start, now)
            slots_by_type[kind.pk] = found[0] if found else None
        slot = slots_by_type[kind.pk]
        if slot is None or not fits(entry, slot, location.tz):
            continue
        offer = WaitlistOffer.objects.create(
            entry=entry,
            practitioner_id=practitioner_id,
            location=location,
            start=start,
            offered_at=now,
        )
        offer.entry, offer.location = entry, location
        _send_offer(offer, slot, base_url)
        offers.append(offer)
        patients.add(entry.patient_id)
    return offers


def _send_offer(offer: WaitlistOffer, slot: Slot, base_url: str | None) -> None:
    entry, location = offer.entry, offer.location
    practitioner = Practitioner.objects.get(pk=offer.practitioner_id)
    url = offer_url(offer, base_url)
    with written_for(entry.patient, location=location):
        notifications.notify_patient(
            entry.patient,
            kind="waitlist.offer",
            subject=_("A time has come free at %(clinic)s") % {"clinic": location.name},
            template="scheduling/email/waitlist_offer.txt",
            context={
                "appointment_type": entry.appointment_type,
                "practitioner": practitioner,
                "local_start": slot.start.astimezone(location.tz),
                "location": location,
                "url": url,
            },
            sms_link=url,
            location=location,
        )


def close_fulfilled_wishes(appointment: Appointment, *, now: dt.datetime | None = None) -> int:
    """Close the patient's open wishes that ``appointment`` (just booked or moved) fits, in
    the caller's transaction; the number closed."""
    wishes = list(
        open_entries().filter(
            patient_id=appointment.patient_id, appointment_type_id=appointment.appointment_type_id
        )
    )
    if not wishes:
        return 0
    slot = Slot(
        appointment.start, appointment.end, appointment.practitioner_id, appointment.location_id
    )
    tz = appointment.location.tz
    done = [w.pk for w in wishes if fits(w, slot, tz)]
    WaitlistEntry.objects.filter(pk__in=done).update(
        closed_at=now or timezone.now(),
        closed_as=WaitlistEntry.Closed.BOOKED,
        booked_appointment=appointment,
    )
    return len(done)


# --- Adding and removing ----------------------------------------------------------------------


class WaitlistError(BookingError):
    status_code = 422


def weekdays_text(days: Iterable[int | str]) -> str:
    return "".join(sorted({str(int(d)) for d in days}))


@transaction.atomic
def add_to_waitlist(
    *,
    patient,
    appointment_type: AppointmentType,
    practitioner: Practitioner | None,
    weekdays: Sequence[int],
    earliest: dt.time,
    latest: dt.time,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    note: str = "",
    source: str,
    by=None,
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Put the patient on the waitlist with this wish; ``by`` is the staff user, if any.

    Raises WaitlistError for a wish that cannot be met (no day, the end not after the start,
    the last day before the first or already past, a practitioner who does not offer the
    type). The same open wish added again returns the one already there.
    """
    now = now or timezone.now()
    if (
        practitioner is not None
        and not appointment_type.practitioners.filter(pk=practitioner.pk).exists()
    ):
        raise WaitlistError(
            _("%(practitioner)s does not offer this appointment type; choose another or anyone.")
            % {"practitioner": practitioner.display_name},
            "practitioner",
        )
    if last_day is not None and last_day < now.date():
        raise WaitlistError(_("The last day that suits has passed already."), "last_day")
    entry = WaitlistEntry(
        patient=patient,
        appointment_type=appointment_type,
        practitioner=practitioner,
        weekdays=weekdays_text(weekdays),
        earliest=earliest,
        latest=latest,
        first_day=first_day,
        last_day=last_day,
        note=note.strip()[:300],
        source=source,
        created_at=now,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    try:
        entry.full_clean(exclude=["patient", "appointment_type", "practitioner", "created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise WaitlistError(messages[0], None if field == "__all__" else field) from exc
    same = open_entries().filter(
        patient=patient,
        appointment_type=appointment_type,
        practitioner=practitioner,
        weekdays=entry.weekdays,
        earliest=earliest,
        latest=latest,
        first_day=first_day,
        last_day=last_day,
    )
    existing = same.first()
    if existing is not None:
        return existing
    entry.save()
    return entry


@transaction.atomic
def remove_from_waitlist(entry: WaitlistEntry, *, by, now: dt.datetime | None = None) -> bool:
    """Close an open wish as removed by staff user ``by``; False if it was closed already."""
    changed = (
        open_entries()
        .filter(pk=entry.pk)
        .update(
            closed_at=now or timezone.now(), closed_as=WaitlistEntry.Closed.REMOVED, closed_by=by
        )
    )
    return bool(changed)


# --- Reads ------------------------------------------------------------------------------------


def waitlist(
    *,
    state: str = "open",
    practitioner_id: int | None = None,
    appointment_type_id: int | None = None,
) -> QuerySet[WaitlistEntry]:
    """The waitlist for the staff page, longest waiting first: open (default) or closed
    wishes, for a practitioner (their own and "anyone" wishes for a type they offer) or a
    type. One query, with the number of offers made."""
    entries = WaitlistEntry.objects.select_related(
        "patient", "appointment_type", "practitioner", "created_by"
    ).annotate(offer_count=Count("offers"))
    if state == "closed":
        entries = entries.filter(closed_at__isnull=False).order_by("-closed_at", "-pk")
    else:
        entries = entries.filter(closed_at__isnull=True).order_by("created_at", "pk")
    if practitioner_id is not None:
        entries = entries.filter(
            Q(practitioner_id=practitioner_id)
            | Q(practitioner__isnull=True, appointment_type__practitioners=practitioner_id)
        )
    if appointment_type_id is not None:
        entries = entries.filter(appointment_type_id=appointment_type_id)
    return entries


def fitting_times(entry: WaitlistEntry, *, days: int = 28, limit: int = 5, now=None) -> list:
    """The next free times that fit the wish (for a patient whose offer was taken), each with
    its local start: at most ``limit`` in the next ``days`` days."""
    zones = {loc.pk: loc.time_zone for loc in Location.objects.all()}
    if not zones:
        return []
    now = now or timezone.now()
    ids = None if entry.practitioner_id is None else [entry.practitioner_id]
    today = now.astimezone(zoneinfo.ZoneInfo(next(iter(zones.values())))).date()
    found, seen = [], set()
    for slot in free_slots(entry.appointment_type, today, days, practitioner_ids=ids, now=now):
        name = zones[slot.location_id]
        tz = zoneinfo.ZoneInfo(name)
        if slot.start in seen or not fits(entry, slot, tz):
            continue
        seen.add(slot.start)
        found.append({"slot": slot, "local": slot.start.astimezone(tz), "time_zone": name})
        if len(found) >= limit:
            break
    return found
