"""book_online / book_appointment / move / cancel: the rules and the no-double-booking guarantee."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.patients.models import Patient
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import (
    ChangeNotAllowed,
    NotBookableOnline,
    SlotNotOffered,
    SlotTaken,
)
from sotclinic.scheduling.links import BadLink
from sotclinic.scheduling.models import Appointment
from sotclinic.scheduling.selectors import listed_slots
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    location = make_location(time_zone="Europe/London")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    ten = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, doctor, kind, ten


def _outcome(kind, start, practitioner=None, **details):
    data = {
        "appointment_type_id": kind.pk,
        "practitioner_id": practitioner.pk if practitioner else None,
        "start": start,
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": dt.date(1985, 3, 4),
        "consent": True,
    }
    return services.book_online(**{**data, **details})


def _online(kind, start, practitioner=None, **details):
    """Book online and return the appointment booked (None for a request)."""
    return _outcome(kind, start, practitioner, **details).appointment


def test_online_booking_creates_patient_appointment_and_confirmation(
    clinic, django_capture_on_commit_callbacks
):
    _, doctor, kind, ten = clinic

    with django_capture_on_commit_callbacks(execute=True):
        appointment = _online(kind, ten, doctor)

    assert appointment.start == ten
    assert appointment.end == ten + dt.timedelta(minutes=30)
    assert appointment.blocked_until == ten + dt.timedelta(minutes=40)
    assert appointment.patient.email == "olivia@example.com"
    assert appointment.patient.consent_to_contact
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == "appointment.ics"


def test_second_booking_of_same_slot_is_rejected(clinic):
    _, doctor, kind, ten = clinic
    _online(kind, ten, doctor)

    with pytest.raises(SlotTaken):
        _online(kind, ten, doctor, email="someone.else@example.com")

    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1


def test_booking_inside_the_previous_buffer_is_rejected(clinic):
    _, doctor, kind, ten = clinic
    _online(kind, ten, doctor)  # 10:00-10:30, busy until 10:40

    with pytest.raises(SlotTaken):  # 10:30 is on the 15-minute grid, inside the buffer
        _online(kind, ten + dt.timedelta(minutes=30), doctor, email="b@example.com")

    assert Appointment.objects.count() == 1


def test_booking_whose_own_buffer_runs_into_the_next_appointment_is_rejected(clinic):
    _, doctor, kind, ten = clinic
    _online(kind, ten, doctor)

    with pytest.raises(SlotTaken):  # 09:30-10:00, busy until 10:10
        _online(kind, ten - dt.timedelta(minutes=30), doctor, email="b@example.com")

    assert Appointment.objects.count() == 1


def test_cancelled_appointment_frees_the_slot(clinic):
    _, doctor, kind, ten = clinic
    first = _online(kind, ten, doctor)
    services.cancel_appointment(first)

    second = _online(kind, ten, doctor, email="second@example.com")

    assert second.status == Appointment.Status.BOOKED
    assert Appointment.objects.exclude(status="cancelled").count() == 1


def test_past_time_is_refused_and_nothing_is_written(clinic):
    _, doctor, kind, ten = clinic

    with pytest.raises(SlotNotOffered, match="past"):
        _online(kind, ten - dt.timedelta(days=2), doctor)

    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 0


def test_time_outside_hours_is_refused(clinic):
    location, doctor, kind, ten = clinic
    evening = ten + dt.timedelta(hours=10)  # 20:00 local

    with pytest.raises(SlotNotOffered):
        _online(kind, evening, doctor)

    assert Appointment.objects.count() == 0


def test_unknown_appointment_type_is_refused(clinic):
    _, doctor, kind, ten = clinic
    kind.pk = 999_999

    with pytest.raises(NotBookableOnline):
        _online(kind, ten, doctor)


def test_existing_patient_is_matched_by_email_and_date_of_birth(clinic):
    _, doctor, kind, ten = clinic
    known = make_patient(email="Olivia@Example.com", date_of_birth=dt.date(1985, 3, 4))

    appointment = _online(kind, ten, doctor)

    assert appointment.patient == known
    assert Patient.objects.count() == 1


def test_same_email_with_other_date_of_birth_is_a_new_patient(clinic):
    _, doctor, kind, ten = clinic
    make_patient(email="olivia@example.com", date_of_birth=dt.date(1990, 1, 1))

    _online(kind, ten, doctor)

    assert Patient.objects.count() == 2


def _listing(kind, day):
    return [
        (slot.start, slot.practitioner_id)
        for slot in listed_slots(kind, day - dt.timedelta(days=1), 3, practitioner_ids=None)
    ]


def test_returning_patient_type_books_nothing_whether_or_not_the_details_match(
    clinic, django_capture_on_commit_callbacks
):
    _, doctor, kind, ten = clinic
    kind.new_patients_may_book_online = False
    kind.save()
    known = make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    before = _listing(kind, ten.date())

    with django_capture_on_commit_callbacks(execute=True):
        matched = _outcome(
            kind, ten, doctor, email="known@example.com", date_of_birth=known.date_of_birth
        )
    after_match = _listing(kind, ten.date())
    with django_capture_on_commit_callbacks(execute=True):
        unmatched = _outcome(kind, ten, doctor, email="stranger@example.com")
    after_no_match = _listing(kind, ten.date())

    assert matched == unmatched == services.REQUEST_RECEIVED
    assert not matched.booked
    assert before == after_match == after_no_match
    assert (ten, doctor.pk) in before
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 1
    request, notice = mail.outbox
    assert request.to == ["known@example.com"] and "/portal/book/request/" in request.body
    assert notice.to == ["stranger@example.com"] and "No appointment has been made" in notice.body


def test_returning_patient_type_refuses_a_taken_slot_alike_for_match_and_no_match(clinic):
    location, doctor, kind, ten = clinic
    kind.new_patients_may_book_online = False
    kind.save()
    known = make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    make_appointment(doctor, ten, patient=known, kind=kind, location=location)

    with pytest.raises(SlotTaken) as matched:
        _online(kind, ten, doctor, email="known@example.com", date_of_birth=known.date_of_birth)
    with pytest.raises(SlotTaken) as unmatched:
        _online(kind, ten, doctor, email="stranger@example.com")

    assert matched.value.message == unmatched.value.message


def test_confirming_a_booking_request_books_it_once(clinic, django_capture_on_commit_callbacks):
    _, doctor, kind, ten = clinic
    kind.new_patients_may_book_online = False
    kind.save()
    known = make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    with django_capture_on_commit_callbacks(execute=True):
        _online(kind, ten, None, email="known@example.com", date_of_birth=known.date_of_birth)
    token = re.search(r"/portal/book/request/([^/]+)/", mail.outbox[0].body).group(1)

    first = services.confirm_booking_request(token)
    again = services.confirm_booking_request(token)

    assert first == again
    assert (first.patient, first.practitioner, first.start) == (known, doctor, ten)
    assert Appointment.objects.count() == 1


def test_a_tampered_booking_request_link_is_refused(clinic):
    with pytest.raises(BadLink):
        services.confirm_booking_request("not-a-token")


def test_retry_by_the_same_person_returns_the_same_booking(clinic):
    _, doctor, kind, ten = clinic

    first = _online(kind, ten, doctor)
    again = _online(kind, ten, None, first_name="OLIVIA ", email="Olivia@example.com")

    assert again == first
    assert Appointment.objects.count() == 1


def test_same_details_for_another_type_or_time_are_not_a_retry(clinic):
    location, doctor, kind, ten = clinic
    other_kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    first = _online(kind, ten, doctor)

    with pytest.raises(SlotTaken):
        _online(other_kind, ten, doctor)
    later = _online(kind, ten + dt.timedelta(hours=2), doctor)

    assert later != first
    assert Appointment.objects.count() == 2


def test_cancelled_booking_is_not_returned_to_a_retry(clinic):
    _, doctor, kind, ten = clinic
    first = _online(kind, ten, doctor)
    services.cancel_appointment(first)

    again = _online(kind, ten, doctor)

    assert again != first
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 1


def test_first_available_skips_a_busy_practitioner(clinic):
    location, doctor, kind, ten = clinic
    other = make_open_practitioner(location, display_name="Dr. Ben Okafor")
    kind.practitioners.add(other)
    make_appointment(doctor, ten, kind=kind, location=location)

    appointment = _online(kind, ten)

    assert appointment.practitioner == other


def test_staff_booking_that_overlaps_is_refused_with_a_clear_message(clinic):
    location, doctor, kind, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location)

    with pytest.raises(SlotTaken, match="already has an appointment from 10:00 to 10:40"):
        services.book_appointment(
            patient=make_patient(),
            practitioner=doctor,
            appointment_type=kind,
            location=location,
            start=ten + dt.timedelta(minutes=15),
        )


def test_staff_may_book_outside_hours_when_free_by_confirming_it(clinic):
    location, doctor, kind, ten = clinic
    desk = make_user(Role.FRONT_DESK)

    appointment = services.book_appointment(
        patient=make_patient(),
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=ten + dt.timedelta(hours=9),
        outside_hours_by=desk,
    )

    assert appointment.pk
    assert appointment.outside_hours_by == desk


def test_move_onto_another_appointment_is_refused(clinic):
    location, doctor, kind, ten = clinic
    first = make_appointment(doctor, ten, kind=kind, location=location)
    second = make_appointment(doctor, ten + dt.timedelta(hours=2), kind=kind, location=location)

    with pytest.raises(SlotTaken):
        services.move_appointment(second, first.start + dt.timedelta(minutes=5))

    second.refresh_from_db()
    assert second.start == ten + dt.timedelta(hours=2)


def test_patient_cannot_cancel_inside_the_cancellation_window(clinic):
    location, doctor, kind, _ = clinic
    soon = timezone.now() + dt.timedelta(hours=3)
    appointment = make_appointment(doctor, soon, kind=kind, location=location)

    with pytest.raises(ChangeNotAllowed, match="too close"):
        services.cancel_appointment(appointment, by_patient=True)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_patient_cannot_move_inside_the_cancellation_window(clinic):
    location, doctor, kind, ten = clinic
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    one_minute_inside = ten - dt.timedelta(hours=24) + dt.timedelta(minutes=1)

    with pytest.raises(ChangeNotAllowed, match="too close"):
        services.move_appointment(
            appointment, ten + dt.timedelta(hours=2), by_patient=True, now=one_minute_inside
        )
    with pytest.raises(ChangeNotAllowed, match="too close"):
        services.cancel_appointment(appointment, by_patient=True, now=one_minute_inside)

    appointment.refresh_from_db()
    assert appointment.start == ten
    assert appointment.status == Appointment.Status.BOOKED
    assert not mail.outbox


def test_patient_may_change_right_up_to_the_cancellation_window(clinic):
    location, doctor, kind, ten = clinic
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    window_opens = ten - dt.timedelta(hours=24)

    services.move_appointment(
        appointment, ten + dt.timedelta(hours=2), by_patient=True, now=window_opens
    )
    services.cancel_appointment(
        appointment, by_patient=True, now=window_opens + dt.timedelta(hours=2)
    )

    appointment.refresh_from_db()
    assert appointment.start == ten + dt.timedelta(hours=2)
    assert appointment.status == Appointment.Status.CANCELLED


def test_staff_move_to_a_time_already_past_is_refused(clinic):
    location, doctor, kind, ten = clinic
    appointment = make_appointment(doctor, ten, kind=kind, location=location)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)

    with pytest.raises(SlotNotOffered, match="past"):
        services.move_appointment(appointment, an_hour_ago)

    appointment.refresh_from_db()
    assert appointment.start == ten


def test_marking_arrived_then_completed(clinic):
    location, doctor, kind, ten = clinic
    appointment = make_appointment(doctor, ten, kind=kind, location=location)

    at_the_visit = ten + dt.timedelta(minutes=5)

    services.mark_appointment(appointment, Appointment.Status.ARRIVED, now=at_the_visit)
    services.mark_appointment(appointment, Appointment.Status.COMPLETED, now=at_the_visit)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    with pytest.raises(ChangeNotAllowed):
        services.mark_appointment(appointment, Appointment.Status.NO_SHOW, now=at_the_visit)


def test_database_refuses_an_overlap_that_bypasses_the_service(clinic):
    location, doctor, kind, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location)

    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        make_appointment(doctor, ten + dt.timedelta(minutes=35), kind=kind, location=location)


def test_database_overlap_refusal_becomes_slot_taken(clinic):
    location, doctor, kind, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location)
    clash = Appointment(
        practitioner=doctor,
        patient=make_patient(),
        location=location,
        appointment_type=kind,
        start=ten,
        end=ten + dt.timedelta(minutes=30),
    )

    with pytest.raises(SlotTaken):
        services._save_without_overlap(clash)


def test_cancelled_rows_do_not_block_in_the_database(clinic):
    location, doctor, kind, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location, status="cancelled")

    make_appointment(doctor, ten, kind=kind, location=location)

    assert Appointment.objects.count() == 2


def test_database_refuses_moving_an_appointment_onto_another(clinic):
    location, doctor, kind, ten = clinic
    make_appointment(doctor, ten, kind=kind, location=location)
    later = make_appointment(doctor, ten + dt.timedelta(hours=2), kind=kind, location=location)
    later.start, later.end = ten + dt.timedelta(minutes=10), ten + dt.timedelta(minutes=40)

    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        later.save()


def test_database_refuses_reviving_a_cancelled_appointment_into_a_taken_time(clinic):
    location, doctor, kind, ten = clinic
    cancelled = make_appointment(doctor, ten, kind=kind, location=location, status="cancelled")
    make_appointment(doctor, ten, kind=kind, location=location)
    cancelled.status = Appointment.Status.BOOKED

    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        cancelled.save()


def test_back_to_back_appointments_are_allowed_by_the_database(clinic):
    location, doctor, kind, ten = clinic
    first = make_appointment(doctor, ten, kind=kind, location=location)

    make_appointment(doctor, first.blocked_until, kind=kind, location=location)

    assert Appointment.objects.filter(practitioner=doctor).count() == 2
