"""Changing an appointment's length (where its type allows), the practitioner's location on a
move, cancelling in the back office, and the calendar's access-log row."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import BookingError, SlotTaken
from sotclinic.scheduling.models import Appointment, AppointmentChange, ClinicSettings
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
    location = make_location()
    anna = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type(
        [anna], name="Follow-up", duration_minutes=30, buffer_minutes=0, other_lengths="15, 45"
    )
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)

    def at(hhmm):
        local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=location.tz)
        return local.astimezone(dt.UTC)

    return {"location": location, "anna": anna, "kind": kind, "at": at, "day": day}


def test_a_type_lists_its_lengths_and_refuses_nonsense():
    kind = make_appointment_type(duration_minutes=30, other_lengths="45; 15,45")
    fixed = make_appointment_type(duration_minutes=30)

    assert (kind.lengths, kind.resizable) == ([15, 30, 45], True)
    assert (fixed.lengths, fixed.resizable) == ([30], False)
    for bad in ("half an hour", "0", "600"):
        kind.other_lengths = bad
        with pytest.raises(ValidationError):
            kind.full_clean()


def test_a_stored_list_that_cannot_be_read_leaves_the_usual_length():
    kind = make_appointment_type(duration_minutes=30, other_lengths="soon")

    assert kind.lengths == [30]


def test_staff_give_an_appointment_a_length_its_type_allows(clinic):
    appointment = make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])

    services.move_appointment(appointment, appointment.start, minutes=45)

    appointment.refresh_from_db()
    assert appointment.end - appointment.start == dt.timedelta(minutes=45)
    assert appointment.blocked_until == appointment.end
    assert AppointmentChange.objects.filter(appointment=appointment, action="moved").exists()


def test_a_length_the_type_does_not_allow_is_refused_naming_the_lengths(clinic):
    appointment = make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])

    with pytest.raises(BookingError) as refused:
        services.move_appointment(appointment, appointment.start, minutes=50)

    assert "can last 15, 30, 45 minutes, not 50" in str(refused.value.message)


def test_a_longer_appointment_may_not_run_into_the_next(clinic):
    at = clinic["at"]
    appointment = make_appointment(clinic["anna"], at("10:00"), kind=clinic["kind"])
    make_appointment(clinic["anna"], at("10:30"), kind=clinic["kind"])

    with pytest.raises(SlotTaken) as refused:
        services.move_appointment(appointment, appointment.start, minutes=45)

    assert "already has an appointment from" in str(refused.value.message)


def test_a_moved_appointment_keeps_its_length(clinic):
    at = clinic["at"]
    appointment = make_appointment(clinic["anna"], at("10:00"), kind=clinic["kind"])
    services.move_appointment(appointment, appointment.start, minutes=15)

    services.move_appointment(appointment, at("14:00"))

    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (at("14:00"), at("14:15"))


def test_a_move_to_a_practitioner_of_another_location_is_refused(clinic):
    """Defect: moving to a practitioner who does not work at the appointment's location."""
    elsewhere = make_location(name="Riverside")
    ben = make_open_practitioner(elsewhere, "08:00", "18:00", display_name="Dr. Ben Okafor")
    appointment = make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])

    with pytest.raises(BookingError) as refused:
        services.move_appointment(appointment, clinic["at"]("11:00"), practitioner=ben)

    assert "Dr. Ben Okafor does not work at" in str(refused.value.message)
    appointment.refresh_from_db()
    assert appointment.practitioner == clinic["anna"]


def test_a_staff_booking_with_a_practitioner_of_another_location_is_refused(clinic):
    elsewhere = make_location(name="Riverside")

    with pytest.raises(BookingError):
        services.book_appointment(
            patient=make_patient(),
            practitioner=clinic["anna"],
            appointment_type=clinic["kind"],
            location=elsewhere,
            start=clinic["at"]("10:00"),
        )


@pytest.fixture
def front_desk(client):
    client.force_login(make_user(Role.FRONT_DESK))
    return client


def test_the_move_endpoint_changes_the_length(front_desk, clinic):
    appointment = make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    data = {
        "practitioner": clinic["anna"].pk,
        "date": clinic["day"].isoformat(),
        "time": "10:00",
        "length": "45",
    }

    done = front_desk.post(url, data, headers={"HX-Request": "true"})
    refused = front_desk.post(url, {**data, "length": "20"}, headers={"HX-Request": "true"})

    assert done.status_code == 200 and "Appointment changed." in done.content.decode()
    assert refused.status_code == 422
    assert "can last 15, 30, 45 minutes, not 20" in refused.content.decode()
    appointment.refresh_from_db()
    assert appointment.end - appointment.start == dt.timedelta(minutes=45)


def test_the_calendar_writes_one_access_row_per_view(front_desk, clinic):
    make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])

    front_desk.get(reverse("scheduling:calendar"), {"view": "day", "date": clinic["day"]})

    rows = AccessLog.objects.filter(action=Action.VIEW_CALENDAR)
    assert rows.count() == 1
    assert rows.get().patient_id is None and f"day of {clinic['day']}" in rows.get().detail


def test_the_series_page_logs_the_patient_it_shows(front_desk, clinic):
    patient = make_patient()

    front_desk.get(reverse("scheduling:series_new"), {"patient": patient.pk})

    assert AccessLog.objects.filter(action=Action.VIEW_SERIES, patient=patient).count() == 1


# --- The back office --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))
    return client


def _admin_form(appointment, **changes):
    local = appointment.start.astimezone(dt.UTC)
    end = appointment.end.astimezone(dt.UTC)
    return {
        "practitioner": appointment.practitioner_id,
        "patient": appointment.patient_id,
        "location": appointment.location_id,
        "appointment_type": appointment.appointment_type_id,
        "start_0": local.strftime("%Y-%m-%d"),
        "start_1": local.strftime("%H:%M:%S"),
        "end_0": end.strftime("%Y-%m-%d"),
        "end_1": end.strftime("%H:%M:%S"),
        "status": appointment.status,
        "cancellation_reason": "",
        "cancellation_note": "",
        **changes,
    }


def test_cancelling_in_the_back_office_records_when_why_and_whether_late(admin_client, clinic):
    """Defect: the back office cancelled with no time, no reason and no late flag."""
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"cancellation_window_hours": 720, "reminder_hours": 744}
    )
    appointment = make_appointment(clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"])
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    refused = admin_client.post(url, _admin_form(appointment, status="cancelled"))
    done = admin_client.post(
        url, _admin_form(appointment, status="cancelled", cancellation_reason="illness")
    )

    assert refused.status_code == 200 and "Choose why it is cancelled." in refused.content.decode()
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.cancelled_at is not None
    assert (appointment.cancellation_reason, appointment.cancelled_late) == ("illness", True)
    change = AppointmentChange.objects.get(appointment=appointment, action="cancelled")
    assert change.channel == "admin"


def test_the_back_office_cannot_cancel_a_completed_appointment(admin_client, clinic):
    appointment = make_appointment(
        clinic["anna"], clinic["at"]("10:00"), kind=clinic["kind"], status="completed"
    )
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    response = admin_client.post(
        url, _admin_form(appointment, status="cancelled", cancellation_reason="illness")
    )

    assert response.status_code == 200
    assert "it cannot be cancelled" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == "completed"


# --- Free time the keyboard reaches -----------------------------------------------------------


def test_free_slots_leave_out_appointments_breaks_and_closed_time(clinic):
    from sotclinic.scheduling.calendar_view import calendar_grid
    from sotclinic.scheduling.models import WeeklyBreak

    at, anna, location = clinic["at"], clinic["anna"], clinic["location"]
    make_appointment(anna, at("09:00"), kind=clinic["kind"], location=location)
    WeeklyBreak.objects.create(
        practitioner=anna,
        location=location,
        weekday=clinic["day"].weekday(),
        start_time=dt.time(12),
        end_time=dt.time(13),
    )

    (column,) = calendar_grid(location, [clinic["day"]], [anna], step=30).columns
    (merged,) = calendar_grid(location, [clinic["day"]], [anna], step=30, stretches=True).columns

    times = [s.time.strftime("%H:%M") for s in column.free]
    assert times[:3] == ["08:00", "08:30", "09:30"] and times[-1] == "17:30"
    assert "12:00" not in times and "12:30" not in times and "09:00" not in times
    assert column.free[0].label.startswith("Book 08:00 with Dr. Anna Weber, ")
    assert [s.label.split(" with ")[0] for s in merged.free] == [
        "Book from 08:00 to 09:00",
        "Book from 09:30 to 12:00",
        "Book from 13:00 to 18:00",
    ]
    # In time order with the appointment, as the keyboard visits them.
    assert [e.is_slot for e in column.entries][:4] == [True, True, False, True]


def test_no_free_slots_in_the_past(clinic):
    from sotclinic.scheduling.calendar_view import calendar_grid

    yesterday = clinic["day"] - dt.timedelta(days=5)

    (column,) = calendar_grid(clinic["location"], [yesterday], [clinic["anna"]], step=30).columns

    assert column.free == []
