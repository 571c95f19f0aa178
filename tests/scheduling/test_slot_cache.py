"""listed_slots: served from the cache on a repeat, fresh after every change that matters,
never in the past, and never trusted by booking.

These tests commit for real (transactional database): the schedule version moves when a write
commits, and inside a transaction the cache is not used at all.
"""

import datetime as dt
import zoneinfo

import pytest
from django.db import transaction

from sotclinic.scheduling import services
from sotclinic.scheduling.errors import NotBookableOnline, SlotNotOffered, SlotTaken
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    Practitioner,
    WeeklyHours,
)
from sotclinic.scheduling.schedule_cache import rules_version, schedule_version
from sotclinic.scheduling.selectors import listed_slots
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("schedule_cache_on")]

LONDON = zoneinfo.ZoneInfo("Europe/London")
DAY = dt.date(2030, 3, 5)  # a Tuesday
NOW = dt.datetime(2030, 3, 4, 8, 0, tzinfo=dt.UTC)


def local(hh: int, mm: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=LONDON).astimezone(dt.UTC)


def times(slots) -> list[str]:
    return [s.start.astimezone(LONDON).strftime("%H:%M") for s in slots]


@pytest.fixture
def clinic():
    rules = ClinicSettings.load()
    rules.slot_step_minutes = 30
    rules.min_notice_minutes = 0
    rules.horizon_days = 400
    rules.save()
    location = make_location(time_zone="Europe/London")
    doctor = make_open_practitioner(location, start="09:00", end="12:00")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=0)
    return location, doctor, kind


def listing(kind, doctor, now=NOW, days=1):
    return listed_slots(kind, DAY, days, practitioner_ids=[doctor.pk], now=now)


def book_online_at_ten(kind, doctor):
    return services.book_online(
        appointment_type_id=kind.pk,
        practitioner_id=doctor.pk,
        start=local(10),
        first_name="Olivia",
        last_name="Smith",
        email="olivia@example.com",
        phone="+44 117 496 0001",
        date_of_birth=dt.date(1985, 3, 4),
        consent=True,
        now=NOW,
    )


def book_by_staff_at_ten(location, doctor, kind):
    return services.book_appointment(
        patient=make_patient(),
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=local(10),
        now=NOW,
    )


def test_a_repeat_listing_is_served_from_the_cache(clinic, django_assert_num_queries):
    _, doctor, kind = clinic
    first = listing(kind, doctor)

    with django_assert_num_queries(0):
        again = listing(kind, doctor)

    assert again == first
    assert times(first) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_an_online_booking_removes_the_slot_from_the_next_listing(clinic):
    _, doctor, kind = clinic
    assert "10:00" in times(listing(kind, doctor))

    book_online_at_ten(kind, doctor)

    assert "10:00" not in times(listing(kind, doctor))


def test_a_cancellation_brings_the_slot_back(clinic):
    location, doctor, kind = clinic
    appointment = book_by_staff_at_ten(location, doctor, kind)
    assert "10:00" not in times(listing(kind, doctor))

    services.cancel_appointment(appointment, now=NOW)

    assert "10:00" in times(listing(kind, doctor))


def test_a_move_frees_the_old_time_and_takes_the_new_one(clinic):
    location, doctor, kind = clinic
    appointment = book_by_staff_at_ten(location, doctor, kind)
    assert times(listing(kind, doctor)) == ["09:00", "09:30", "10:30", "11:00", "11:30"]

    services.move_appointment(appointment, local(11), now=NOW)

    assert times(listing(kind, doctor)) == ["09:00", "09:30", "10:00", "10:30", "11:30"]


def test_marking_a_status_keeps_the_listing_right(clinic):
    location, doctor, kind = clinic
    appointment = book_by_staff_at_ten(location, doctor, kind)
    before = version_now()
    listing(kind, doctor)

    services.mark_appointment(
        appointment, Appointment.Status.NO_SHOW, now=appointment.start + dt.timedelta(hours=1)
    )

    assert version_now() != before
    assert "10:00" not in times(listing(kind, doctor))  # a no-show still holds its time


def test_changed_weekly_hours_show_in_the_next_listing(clinic):
    location, doctor, kind = clinic
    assert times(listing(kind, doctor))[-1] == "11:30"

    hours = WeeklyHours.objects.get(practitioner=doctor, weekday=DAY.weekday())
    hours.end_time = dt.time(10, 0)
    hours.save()

    assert times(listing(kind, doctor)) == ["09:00", "09:30"]


def test_a_day_off_saved_like_the_admin_does_empties_the_day(clinic):
    location, doctor, kind = clinic
    assert listing(kind, doctor)

    AvailabilityException(
        kind=AvailabilityException.Kind.DAY_OFF, practitioner=doctor, first_day=DAY, last_day=DAY
    ).save()

    assert listing(kind, doctor) == []


def test_removing_the_practitioner_from_the_type_empties_the_listing(clinic):
    _, doctor, kind = clinic
    assert listing(kind, doctor)

    kind.practitioners.remove(doctor)

    assert listing(kind, doctor) == []


def test_changed_clinic_settings_show_in_the_next_listing(clinic):
    _, doctor, kind = clinic
    assert len(listing(kind, doctor)) == 6

    rules = ClinicSettings.load()
    rules.slot_step_minutes = 60
    rules.save()

    assert times(listing(kind, doctor)) == ["09:00", "10:00", "11:00"]


def test_zero_seconds_turns_the_cache_off(clinic, settings, django_assert_max_num_queries):
    _, doctor, kind = clinic
    settings.SLOT_CACHE_SECONDS = 0
    listing(kind, doctor)

    with django_assert_max_num_queries(10) as captured:
        listing(kind, doctor)

    assert len(captured.captured_queries) > 0


def test_a_cached_listing_never_offers_a_time_now_past(clinic, django_assert_num_queries):
    _, doctor, kind = clinic
    # Hours off the step's grid: slots at 09:10, 09:40, ...
    WeeklyHours.objects.filter(practitioner=doctor).update(start_time=dt.time(9, 10))
    ClinicSettings.load().save()  # a bulk update sends no signal; make the change count
    nine = local(9)
    assert times(listing(kind, doctor, now=nine))[0] == "09:10"

    with django_assert_num_queries(0):  # same step, so the same cache entry
        later = listing(kind, doctor, now=nine + dt.timedelta(minutes=15))

    assert times(later)[0] == "09:40"


def test_a_write_counts_only_once_it_commits(clinic):
    _, doctor, kind = clinic
    before = version_now()

    with transaction.atomic():
        AvailabilityException.objects.create(
            kind=AvailabilityException.Kind.HOLIDAY, first_day=DAY, last_day=DAY
        )
        assert version_now() == before

    assert version_now() != before


def test_a_stale_listing_can_only_end_in_slot_taken_never_a_double_booking(clinic):
    location, doctor, kind = clinic
    assert "10:00" in times(listing(kind, doctor))
    # A write that bypasses the signals (as another server with its own cache would look):
    # the listing is stale until its time runs out ...
    Appointment.objects.bulk_create(
        [
            Appointment(
                practitioner=doctor,
                patient=make_patient(),
                location=location,
                appointment_type=kind,
                start=local(10),
                end=local(10, 30),
                blocked_until=local(10, 30),
            )
        ]
    )
    assert "10:00" in times(listing(kind, doctor))

    # ... but booking checks the database.
    with pytest.raises(SlotTaken):
        book_online_at_ten(kind, doctor)
    assert Appointment.objects.filter(practitioner=doctor, start=local(10)).count() == 1


def version_now() -> int:
    return schedule_version()


# Booking's first look takes the opening hours from the cache (bookings leave them cached);
# changes that bypass the signals stand for another server's writes, which a per-process cache
# learns of late.


def test_bookings_leave_the_cached_opening_hours_and_settings_in_place(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)
    rules = rules_version()

    services.book_online(**booking_at(kind, doctor, local(11), "second@example.com"))

    assert rules_version() == rules


def test_hours_opened_elsewhere_are_bookable_at_once(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)  # caches the hours: 09:00–12:00
    WeeklyHours.objects.filter(practitioner=doctor).update(end_time=dt.time(13, 0))

    outcome = services.book_online(**booking_at(kind, doctor, local(12), "late@example.com"))

    assert outcome.appointment.start == local(12)


def test_hours_closed_elsewhere_are_never_booked(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)  # caches the hours: 09:00–12:00
    WeeklyHours.objects.filter(practitioner=doctor).update(end_time=dt.time(11, 0))

    with pytest.raises(SlotNotOffered):
        services.book_online(**booking_at(kind, doctor, local(11), "late@example.com"))
    assert not Appointment.objects.filter(start=local(11)).exists()


def test_a_practitioner_deactivated_elsewhere_is_never_booked(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)  # caches the hours
    Practitioner.objects.filter(pk=doctor.pk).update(active=False)

    with pytest.raises(SlotNotOffered):
        services.book_online(**booking_at(kind, doctor, local(11), "late@example.com"))
    assert not Appointment.objects.filter(start=local(11)).exists()


def booking_at(kind, doctor, start, email) -> dict:
    return {
        "appointment_type_id": kind.pk,
        "practitioner_id": doctor.pk,
        "start": start,
        "first_name": "Noah",
        "last_name": "Jones",
        "email": email,
        "phone": "+44 117 496 0002",
        "date_of_birth": dt.date(1990, 1, 2),
        "consent": True,
        "now": NOW,
    }


def test_a_type_taken_offline_elsewhere_is_never_booked(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)  # caches the types bookable online
    AppointmentType.objects.filter(pk=kind.pk).update(bookable_online=False)

    with pytest.raises((NotBookableOnline, SlotNotOffered)):
        services.book_online(**booking_at(kind, doctor, local(11), "late@example.com"))
    assert not Appointment.objects.filter(start=local(11)).exists()


def test_a_type_taken_offline_here_is_refused_at_once(clinic):
    _, doctor, kind = clinic
    book_online_at_ten(kind, doctor)  # caches the types bookable online
    kind.bookable_online = False
    kind.save()

    with pytest.raises(NotBookableOnline):
        services.book_online(**booking_at(kind, doctor, local(11), "late@example.com"))
