"""The waitlist: which freed times fit a wish, who is offered one and how often, claiming an
offer through the booking service, and closing wishes."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from sotclinic.messaging.models import Message
from sotclinic.scheduling import services, waitlist
from sotclinic.scheduling.errors import SlotTaken
from sotclinic.scheduling.links import BadLink
from sotclinic.scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from sotclinic.scheduling.selectors import Slot
from sotclinic.scheduling.waitlist import WaitlistError, fits
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_practitioner,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


# --- Matching (no database) -------------------------------------------------------------------


def _wish(**extra) -> WaitlistEntry:
    fields = {
        "weekdays": "0123456",
        "earliest": dt.time(9),
        "latest": dt.time(12),
        "practitioner_id": None,
    }
    return WaitlistEntry(**{**fields, **extra})


def _slot(local: dt.datetime, minutes: int = 30, practitioner_id: int = 1) -> Slot:
    start = local.astimezone(dt.UTC)
    return Slot(start, start + dt.timedelta(minutes=minutes), practitioner_id, 1)


def test_a_slot_on_a_day_that_suits_fits_and_on_another_day_does_not():
    monday = dt.datetime(2026, 6, 1, 10, tzinfo=LONDON)
    wish = _wish(weekdays="02")  # Monday and Wednesday

    assert fits(wish, _slot(monday), LONDON)
    assert not fits(wish, _slot(monday + dt.timedelta(days=1)), LONDON)
    assert fits(wish, _slot(monday + dt.timedelta(days=2)), LONDON)


def test_the_visit_must_start_at_or_after_the_first_time_and_end_by_the_second():
    day = dt.datetime(2026, 6, 1, tzinfo=LONDON)
    wish = _wish(earliest=dt.time(9), latest=dt.time(12))

    assert fits(wish, _slot(day.replace(hour=9)), LONDON)
    assert fits(wish, _slot(day.replace(hour=11, minute=30)), LONDON)  # ends 12:00 exactly
    assert not fits(wish, _slot(day.replace(hour=8, minute=45)), LONDON)
    assert not fits(wish, _slot(day.replace(hour=11, minute=45)), LONDON)  # ends 12:15


def test_any_practitioner_fits_every_practitioner_a_named_one_only_themselves():
    slot = _slot(dt.datetime(2026, 6, 1, 10, tzinfo=LONDON), practitioner_id=7)

    assert fits(_wish(practitioner_id=None), slot, LONDON)
    assert fits(_wish(practitioner_id=7), slot, LONDON)
    assert not fits(_wish(practitioner_id=8), slot, LONDON)


def test_the_days_range_is_inclusive_at_both_ends():
    day = dt.date(2026, 6, 10)
    slot = _slot(dt.datetime.combine(day, dt.time(10), tzinfo=LONDON))

    assert fits(_wish(first_day=day, last_day=day), slot, LONDON)
    assert not fits(_wish(first_day=day + dt.timedelta(days=1)), slot, LONDON)
    assert not fits(_wish(last_day=day - dt.timedelta(days=1)), slot, LONDON)


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 3, 27), dt.date(2026, 3, 30), dt.date(2026, 10, 23), dt.date(2026, 10, 26)],
)
def test_times_are_read_in_the_location_time_zone_on_both_sides_of_a_clock_change(day):
    """09:00 in London is 09:00 UTC in winter and 08:00 UTC in summer; the wish means the
    local hour either way (the clocks change on 29 March and 25 October 2026)."""
    nine_local = dt.datetime.combine(day, dt.time(9), tzinfo=LONDON)
    wish = _wish(earliest=dt.time(9), latest=dt.time(10))

    assert fits(wish, _slot(nine_local), LONDON)
    assert not fits(wish, _slot(nine_local - dt.timedelta(hours=1)), LONDON)


def test_the_weekday_is_the_local_one_not_the_utc_one():
    # 00:30 on Tuesday in Berlin is still Monday in UTC.
    tuesday_night = dt.datetime(2026, 6, 2, 0, 30, tzinfo=BERLIN)
    assert tuesday_night.astimezone(dt.UTC).weekday() == 0
    wish = _wish(weekdays="1", earliest=dt.time(0), latest=dt.time(2))

    assert fits(wish, _slot(tuesday_night), BERLIN)
    assert not fits(
        _wish(weekdays="0", earliest=dt.time(0), latest=dt.time(2)), _slot(tuesday_night), BERLIN
    )


# --- Offers when a time frees up --------------------------------------------------------------


@pytest.fixture
def clinic(db):
    location = make_location(time_zone="Europe/London")
    anna = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    ben = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Ben Okafor")
    kind = make_appointment_type(
        [anna, ben], name="Follow-up", duration_minutes=30, buffer_minutes=0
    )
    other = make_appointment_type(
        [anna, ben], name="New patient", duration_minutes=30, buffer_minutes=0
    )
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)

    def at(hhmm: str, on: dt.date = day) -> dt.datetime:
        local = dt.datetime.combine(on, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
        return local.astimezone(dt.UTC)

    return {
        "location": location,
        "anna": anna,
        "ben": ben,
        "kind": kind,
        "other": other,
        "day": day,
        "at": at,
    }


def _wait(clinic, patient=None, created_at=None, **wish):
    fields = {
        "appointment_type": clinic["kind"],
        "practitioner": None,
        "weekdays": [clinic["day"].weekday()],
        "earliest": dt.time(8),
        "latest": dt.time(18),
    }
    entry = waitlist.add_to_waitlist(
        patient=patient or make_patient(),
        source=WaitlistEntry.Source.STAFF,
        now=created_at,
        **{**fields, **wish},
    )
    return entry


def _booked(clinic, hhmm="10:00", practitioner=None, patient=None):
    return make_appointment(
        practitioner or clinic["anna"],
        clinic["at"](hhmm),
        patient=patient,
        kind=clinic["kind"],
        location=clinic["location"],
    )


def _offers_for(entry):
    return list(WaitlistOffer.objects.filter(entry=entry))


def _offer_messages():
    return Message.objects.filter(kind="waitlist.offer")


def test_cancelling_offers_the_time_to_the_longest_waiting_first_and_at_most_a_few(clinic):
    now = timezone.now()
    entries = [
        _wait(clinic, created_at=now - dt.timedelta(days=10 - i))
        for i in range(waitlist.OFFERS_PER_TIME + 1)
    ]
    appointment = _booked(clinic)

    services.cancel_appointment(appointment, reason="illness")

    offered = [e for e in entries if _offers_for(e)]
    assert offered == entries[: waitlist.OFFERS_PER_TIME]
    offer = _offers_for(entries[0])[0]
    assert (offer.start, offer.practitioner_id) == (appointment.start, appointment.practitioner_id)
    mails = _offer_messages()
    assert mails.count() == waitlist.OFFERS_PER_TIME
    first = mails.get(patient=entries[0].patient)
    assert "/book/waitlist/offer/" in first.body and "Follow-up" in first.body


def test_a_time_is_never_offered_twice_to_the_same_patient(clinic):
    now = timezone.now()
    entries = [
        _wait(clinic, created_at=now - dt.timedelta(days=10 - i))
        for i in range(waitlist.OFFERS_PER_TIME + 1)
    ]
    first = _booked(clinic)
    services.cancel_appointment(first, reason="illness")
    again = _booked(clinic)  # booked by someone else in the meantime, then cancelled too

    services.cancel_appointment(again, reason="travel")

    assert [len(_offers_for(e)) for e in entries] == [1] * len(entries)
    assert _offer_messages().count() == len(entries)


def test_a_patient_with_two_fitting_wishes_gets_one_offer(clinic):
    patient = make_patient()
    _wait(clinic, patient=patient)
    _wait(clinic, patient=patient, earliest=dt.time(9))

    services.cancel_appointment(_booked(clinic), reason="illness")

    assert WaitlistOffer.objects.filter(entry__patient=patient).count() == 1


def test_the_patient_who_cancelled_is_not_offered_their_own_time(clinic):
    patient = make_patient()
    _wait(clinic, patient=patient)

    services.cancel_appointment(_booked(clinic, patient=patient), reason="illness")

    assert not WaitlistOffer.objects.exists()


def test_only_wishes_of_the_type_practitioner_day_and_time_are_offered(clinic):
    """The freed 10:00 is followed by Anna's 10:30: half an hour, too short for the other
    type's hour."""
    day = clinic["day"]
    clinic["other"].duration_minutes = 60
    clinic["other"].save()
    _booked(clinic, "10:30")
    fitting = _wait(clinic, practitioner=clinic["anna"])
    other_type = _wait(clinic, appointment_type=clinic["other"])
    other_practitioner = _wait(clinic, practitioner=clinic["ben"])
    other_day = _wait(clinic, weekdays=[(day.weekday() + 1) % 7])
    afternoon = _wait(clinic, earliest=dt.time(13))
    ended = _wait(clinic, last_day=day - dt.timedelta(days=1))

    services.cancel_appointment(_booked(clinic), reason="illness")

    assert _offers_for(fitting)
    for entry in (other_type, other_practitioner, other_day, afternoon, ended):
        assert not _offers_for(entry)


def test_a_time_still_taken_after_a_cancellation_is_not_offered(clinic):
    """Anna's 10:00 is cancelled, but it is not a free 30 minutes for the wish's type when an
    appointment sits at 10:15 (booked over it by staff)."""
    entry = _wait(clinic)
    cancelled = _booked(clinic)
    services.cancel_appointment(cancelled, reason="illness")
    WaitlistOffer.objects.all().delete()
    _booked(clinic, "10:15")
    second = make_appointment(
        clinic["anna"],
        clinic["at"]("10:00"),
        kind=make_appointment_type([clinic["anna"]], duration_minutes=15, buffer_minutes=0),
        location=clinic["location"],
    )

    services.cancel_appointment(second, reason="illness")

    assert not _offers_for(entry)


def test_moving_an_appointment_away_offers_its_old_time(clinic):
    entry = _wait(clinic, earliest=dt.time(9, 30), latest=dt.time(11))
    appointment = _booked(clinic)

    services.move_appointment(appointment, clinic["at"]("15:00"), by=None)

    offer = _offers_for(entry)[0]
    assert offer.start == clinic["at"]("10:00")


def test_a_cancellation_in_the_past_offers_nothing(clinic):
    _wait(clinic, weekdays=range(7))
    past = make_appointment(
        clinic["anna"],
        timezone.now() - dt.timedelta(days=1),
        kind=clinic["kind"],
        location=clinic["location"],
    )
    services.cancel_appointment(past, reason="illness", by=None)
    assert not WaitlistOffer.objects.exists()


# --- Claiming an offer ------------------------------------------------------------------------


def _two_offers(clinic):
    now = timezone.now()
    first = _wait(clinic, created_at=now - dt.timedelta(days=2))
    second = _wait(clinic, created_at=now - dt.timedelta(days=1))
    services.cancel_appointment(_booked(clinic), reason="illness")
    return first, second, _offers_for(first)[0], _offers_for(second)[0]


def test_the_first_to_claim_books_the_time_and_their_wish_closes(clinic):
    first, second, offer, _ = _two_offers(clinic)

    appointment = services.claim_waitlist_offer(waitlist.offer_token(offer))

    assert (appointment.patient, appointment.start, appointment.practitioner) == (
        first.patient,
        offer.start,
        clinic["anna"],
    )
    first.refresh_from_db()
    offer.refresh_from_db()
    assert (first.closed_as, first.booked_appointment) == ("booked", appointment)
    assert offer.claimed_at is not None
    assert Message.objects.filter(patient=first.patient, kind="booking.confirmation").exists()


def test_the_second_to_claim_is_told_it_is_taken_and_stays_on_the_waitlist(clinic):
    _, second, offer, later_offer = _two_offers(clinic)
    services.claim_waitlist_offer(waitlist.offer_token(offer))

    with pytest.raises(SlotTaken):
        services.claim_waitlist_offer(waitlist.offer_token(later_offer))

    second.refresh_from_db()
    assert second.is_open
    assert Appointment.objects.filter(start=offer.start).exclude(status="cancelled").count() == 1


def test_following_the_link_again_after_booking_returns_the_booking(clinic):
    _, _, offer, _ = _two_offers(clinic)
    token = waitlist.offer_token(offer)
    booked = services.claim_waitlist_offer(token)

    assert services.claim_waitlist_offer(token) == booked
    assert Appointment.objects.filter(patient=booked.patient).count() == 1


def test_a_removed_wish_can_no_longer_claim(clinic):
    first, _, offer, _ = _two_offers(clinic)
    waitlist.remove_from_waitlist(first, by=None)

    with pytest.raises(WaitlistError):
        services.claim_waitlist_offer(waitlist.offer_token(offer))


def test_a_tampered_offer_link_is_refused(clinic):
    with pytest.raises(BadLink):
        services.claim_waitlist_offer("not-a-token")


# --- Closing and keeping wishes ---------------------------------------------------------------


def test_booking_a_time_that_fits_closes_the_wish_and_one_that_does_not_keeps_it(clinic):
    patient = make_patient()
    morning = _wait(clinic, patient=patient, latest=dt.time(12))
    evening = _wait(clinic, patient=patient, earliest=dt.time(16))

    booked = services.book_appointment(
        patient=patient,
        practitioner=clinic["ben"],
        appointment_type=clinic["kind"],
        location=clinic["location"],
        start=clinic["at"]("09:00"),
    )

    morning.refresh_from_db()
    evening.refresh_from_db()
    assert (morning.closed_as, morning.booked_appointment) == ("booked", booked)
    assert evening.is_open


def test_adding_the_same_open_wish_twice_keeps_one(clinic):
    patient = make_patient()
    assert _wait(clinic, patient=patient) == _wait(clinic, patient=patient)
    assert WaitlistEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("wish", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"earliest": dt.time(12), "latest": dt.time(12)}, None),
        ({"last_day": dt.date(2020, 1, 1)}, "last_day"),
    ],
)
def test_a_wish_that_cannot_be_met_is_refused_with_a_message(clinic, wish, field):
    with pytest.raises(WaitlistError) as refused:
        _wait(clinic, **wish)
    assert refused.value.field == field and str(refused.value.message)
    assert not WaitlistEntry.objects.exists()


def test_a_practitioner_who_does_not_offer_the_type_is_refused(clinic):
    stranger = make_practitioner(clinic["location"])
    with pytest.raises(WaitlistError) as refused:
        _wait(clinic, practitioner=stranger)
    assert refused.value.field == "practitioner"


def test_removing_closes_the_wish_once(clinic):
    entry = _wait(clinic)
    assert waitlist.remove_from_waitlist(entry, by=None) is True
    assert waitlist.remove_from_waitlist(entry, by=None) is False
    entry.refresh_from_db()
    assert entry.closed_as == "removed"


def test_the_staff_list_filters_by_state_practitioner_and_type(clinic):
    anyone = _wait(clinic)
    with_ben = _wait(clinic, practitioner=clinic["ben"])
    other = _wait(clinic, appointment_type=clinic["other"])
    closed = _wait(clinic, earliest=dt.time(9))
    waitlist.remove_from_waitlist(closed, by=None)

    assert list(waitlist.waitlist()) == [anyone, with_ben, other]
    assert list(waitlist.waitlist(state="closed")) == [closed]
    assert set(waitlist.waitlist(practitioner_id=clinic["anna"].pk)) == {anyone, other}
    assert list(waitlist.waitlist(appointment_type_id=clinic["other"].pk)) == [other]


def test_fitting_times_lists_free_times_that_suit_the_wish(clinic):
    entry = _wait(clinic, practitioner=clinic["anna"], earliest=dt.time(10), latest=dt.time(11))
    _booked(clinic, "10:00")

    times = waitlist.fitting_times(entry)

    starts = [t["slot"].start for t in times]
    assert clinic["at"]("10:30") in starts and clinic["at"]("10:00") not in starts
    assert all(fits(entry, t["slot"], clinic["location"].tz) for t in times)


def test_a_slot_running_past_midnight_fits_no_wish():
    late = _slot(dt.datetime(2026, 6, 1, 23, 45, tzinfo=LONDON))
    assert not fits(_wish(earliest=dt.time(0), latest=dt.time(23, 59)), late, LONDON)


def test_fitting_times_lists_each_time_once_whoever_is_free_then(clinic):
    entry = _wait(clinic, earliest=dt.time(10), latest=dt.time(11))

    starts = [t["slot"].start for t in waitlist.fitting_times(entry, limit=10)]
    few = [t["slot"].start for t in waitlist.fitting_times(entry, days=5, limit=10)]

    assert len(starts) == len(set(starts)) and clinic["at"]("10:00") in starts
    assert few == [clinic["at"](hhmm) for hhmm in ("10:00", "10:15", "10:30")]


def test_fitting_times_without_a_location_is_empty(db):
    assert waitlist.fitting_times(WaitlistEntry()) == []


def test_the_offer_link_uses_the_base_url_given(clinic):
    entry = _wait(clinic)
    services.cancel_appointment(_booked(clinic), reason="illness")
    offer = _offers_for(entry)[0]
    assert waitlist.offer_url(offer, "https://clinic.example/").startswith(
        "https://clinic.example/portal/book/waitlist/offer/"
    )


def test_joining_online_needs_consent_and_a_type_new_patients_may_book(clinic):
    details = {
        "first_name": "Nora",
        "last_name": "Quinn",
        "email": "nora@example.com",
        "phone": "",
        "date_of_birth": dt.date(1990, 5, 4),
    }
    wish = {
        "appointment_type": clinic["kind"],
        "practitioner": None,
        "weekdays": [0],
        "earliest": dt.time(8),
        "latest": dt.time(12),
    }
    with pytest.raises(services.BookingError) as no_consent:
        services.join_waitlist_online(consent=False, **details, **wish)
    clinic["kind"].new_patients_may_book_online = False
    clinic["kind"].save()
    with pytest.raises(services.NotBookableOnline):
        services.join_waitlist_online(consent=True, **details, **wish)

    assert no_consent.value.field == "consent"
    assert not WaitlistEntry.objects.exists()


def test_the_offer_names_the_time_on_the_location_clock(db):
    location = make_location(time_zone="Asia/Kolkata")  # UTC+05:30 all year
    anna = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=location.tz)
    entry = waitlist.add_to_waitlist(
        patient=make_patient(),
        appointment_type=kind,
        practitioner=None,
        weekdays=range(7),
        earliest=dt.time(9),
        latest=dt.time(11),
        source=WaitlistEntry.Source.STAFF,
    )
    appointment = make_appointment(anna, start.astimezone(dt.UTC), kind=kind, location=location)

    services.cancel_appointment(appointment, reason="illness")

    body = Message.objects.get(kind="waitlist.offer", patient=entry.patient).body
    assert "10:00" in body and "04:30" not in body
