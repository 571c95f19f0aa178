"""Online booking computes the free slots before its write transaction and checks only the
chosen slot inside it: what changed in between (another booking, the practitioner's hours)
is caught there, and two identical requests at once still give one booking."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sotclinic.patients.models import Patient
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import SlotNotOffered, SlotTaken
from sotclinic.scheduling.models import Appointment, AvailabilityException
from tests.concurrency import run_at_once
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
)


@pytest.fixture
def clinic():
    location = make_location(time_zone="Europe/London")
    first = make_open_practitioner(location, display_name="Dr. First")
    second = make_open_practitioner(location, display_name="Dr. Second")
    kind = make_appointment_type([first, second], duration_minutes=30, buffer_minutes=10)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    ten = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, first, second, kind, ten


DETAILS = {
    "first_name": "Olivia",
    "last_name": "Smith",
    "email": "olivia@example.com",
    "phone": "+44 117 496 0001",
    "date_of_birth": dt.date(1985, 3, 4),
    "preferred_language": "",
}


def _book_listed(kind, candidates, start, **options):
    now = timezone.now()
    with transaction.atomic():
        return services._book_listed_slot(
            kind,
            candidates,
            start,
            None,
            DETAILS,
            base_url=None,
            now=now,
            channel="online",
            **options,
        )


@pytest.mark.django_db
def test_a_slot_taken_after_the_listing_goes_to_the_next_practitioner(clinic):
    location, first, second, kind, ten = clinic
    candidates = services._check_offered(kind, ten, None, now=timezone.now())
    assert [s.practitioner_id for s in candidates] == [first.pk, second.pk]
    make_appointment(first, ten, kind=kind, location=location)  # while the slots were listed

    booked = _book_listed(kind, candidates, ten)

    assert booked.practitioner == second


@pytest.mark.django_db
def test_a_slot_taken_from_every_candidate_after_the_listing_is_refused_whole(clinic):
    location, first, second, kind, ten = clinic
    candidates = services._check_offered(kind, ten, None, now=timezone.now())
    for practitioner in (first, second):
        make_appointment(practitioner, ten, kind=kind, location=location)

    with pytest.raises(SlotTaken):
        _book_listed(kind, candidates, ten)

    assert not Patient.objects.filter(email="olivia@example.com").exists()


@pytest.mark.django_db
def test_a_last_candidate_taken_after_the_listing_rolls_the_booking_back_whole(clinic):
    # Without a savepoint of its own (the caller's block ends on SlotTaken): nothing of the
    # booking stays, and the transaction around that block goes on.
    location, first, second, kind, ten = clinic
    candidates = services._check_offered(kind, ten, [first.pk], now=timezone.now())
    make_appointment(first, ten, kind=kind, location=location)

    with pytest.raises(SlotTaken):
        _book_listed(kind, candidates, ten, taken_ends_transaction=True)

    assert not Patient.objects.filter(email="olivia@example.com").exists()
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_without_a_last_savepoint_a_taken_first_candidate_still_goes_to_the_next(clinic):
    location, first, second, kind, ten = clinic
    candidates = services._check_offered(kind, ten, None, now=timezone.now())
    make_appointment(first, ten, kind=kind, location=location)

    booked = _book_listed(kind, candidates, ten, taken_ends_transaction=True)

    assert booked.practitioner == second
    assert Patient.objects.filter(email="olivia@example.com").count() == 1


@pytest.mark.django_db
def test_hours_closed_after_the_listing_are_checked_for_the_chosen_slot(clinic):
    location, first, second, kind, ten = clinic
    candidates = services._check_offered(kind, ten, [first.pk], now=timezone.now())
    day = ten.astimezone(location.tz).date()
    AvailabilityException.objects.create(
        kind=AvailabilityException.Kind.DAY_OFF, practitioner=first, first_day=day, last_day=day
    )

    with pytest.raises(SlotNotOffered):
        _book_listed(kind, candidates, ten)

    assert not Appointment.objects.exists()
    assert not Patient.objects.filter(email="olivia@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_give_one_booking(clinic):
    _, first, _, kind, ten = clinic
    booked = []

    def book():
        outcome = services.book_online(
            appointment_type_id=kind.pk,
            practitioner_id=first.pk,
            start=ten,
            consent=True,
            **{k: v for k, v in DETAILS.items() if k != "preferred_language"},
        )
        booked.append(outcome.appointment.pk)

    errors = run_at_once(book, times=2)

    assert Appointment.objects.count() == 1
    if connection.vendor == "sqlite":
        # Writers take turns: the second finds the first's patient and booking and returns it.
        assert errors == []
        assert booked == [Appointment.objects.get().pk] * 2
        assert Patient.objects.count() == 1
    else:
        assert all(isinstance(e, SlotTaken) for e in errors), errors
