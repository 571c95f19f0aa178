"""Every change of an appointment is logged: who, when, through which door, from what to what.

One story per channel and action; the history on the staff page; and the log is append-only
in the model and in the database itself.
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.demo.clinic import load_demo_clinic
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import ChangeNotAllowed
from sotclinic.scheduling.links import booking_request_token, manage_token
from sotclinic.scheduling.models import Appointment, AppointmentChange, ChangeLogImmutable
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

Channel, Change = AppointmentChange.Channel, AppointmentChange.Action

DETAILS = {
    "first_name": "Olivia",
    "last_name": "Smith",
    "email": "olivia@example.com",
    "phone": "+44 117 496 0001",
    "date_of_birth": "1985-03-04",
    "consent": "on",
}


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street", time_zone="Europe/London")
    anna = make_open_practitioner(location, display_name="Dr. Anna Weber")
    ben = make_open_practitioner(location, display_name="Dr. Ben Okafor")
    kind = make_appointment_type([anna, ben], name="Follow-up", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, anna, ben, kind, start


@pytest.fixture
def desk(client):
    user = make_user(Role.FRONT_DESK, first_name="Fiona", last_name="Desk")
    client.force_login(user)
    return user


def _book(clinic, **extra) -> Appointment:
    location, anna, _, kind, start = clinic
    return services.book_appointment(
        patient=make_patient(first_name="Olivia", last_name="Smith"),
        practitioner=anna,
        appointment_type=kind,
        location=location,
        start=start,
        **extra,
    )


def _only(appointment, action) -> AppointmentChange:
    return AppointmentChange.objects.get(appointment=appointment, action=action)


# --- Staff pages ------------------------------------------------------------------------------


def test_staff_booking_through_the_page_logs_the_user_and_every_field(client, clinic, desk):
    location, anna, _, kind, start = clinic
    patient = make_patient()
    local = start.astimezone(location.tz)

    client.post(
        "/staff/appointments/new/",
        {
            "patient": patient.pk,
            "appointment_type": kind.pk,
            "practitioner": anna.pk,
            "location": location.pk,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        },
    )

    row = _only(Appointment.objects.get(), Change.BOOKED)
    assert (row.user, row.actor, row.channel) == (desk, "Fiona Desk", Channel.STAFF)
    assert row.old == {}
    assert row.new["start"] == start.isoformat()
    assert row.new["practitioner"] == {"id": anna.pk, "name": "Dr. Anna Weber"}
    assert row.new["status"] == "booked"


def test_staff_move_logs_old_and_new_start_and_practitioner(client, clinic, desk):
    location, anna, ben, _, start = clinic
    appointment = _book(clinic)
    later = start + dt.timedelta(hours=2)
    local = later.astimezone(location.tz)

    client.post(
        f"/staff/appointments/{appointment.pk}/",
        {"practitioner": ben.pk, "date": local.date().isoformat(), "time": local.strftime("%H:%M")},
    )

    row = _only(appointment, Change.MOVED)
    assert (row.user, row.channel) == (desk, Channel.STAFF)
    assert row.old["start"] == start.isoformat()
    assert row.new["start"] == later.isoformat()
    assert (row.old["practitioner"]["name"], row.new["practitioner"]["name"]) == (
        "Dr. Anna Weber",
        "Dr. Ben Okafor",
    )
    assert "status" not in row.new and "patient" not in row.new


@pytest.mark.parametrize(
    ("button", "status"),
    [("arrived", "arrived"), ("completed", "completed"), ("no_show", "no_show")],
)
def test_staff_status_change_logs_from_and_to(client, clinic, desk, button, status):
    location, anna, _, kind, _ = clinic
    # Today, already begun, so every mark is allowed.
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    appointment = services.book_appointment(
        patient=make_patient(),
        practitioner=anna,
        appointment_type=kind,
        location=location,
        start=start,
        outside_hours_by=desk,
        now=start - dt.timedelta(minutes=1),
    )

    client.post(f"/staff/appointments/{appointment.pk}/status/", {"action": button})

    row = _only(appointment, Change.STATUS_CHANGED)
    assert (row.user, row.channel) == (desk, Channel.STAFF)
    assert (row.old, row.new) == ({"status": "booked"}, {"status": status})


def test_staff_cancel_logs_the_cancellation(client, clinic, desk):
    appointment = _book(clinic)

    client.post(f"/staff/appointments/{appointment.pk}/cancel/", {"reason": "illness"})

    row = _only(appointment, Change.CANCELLED)
    assert (row.user, row.channel) == (desk, Channel.STAFF)
    assert (row.old, row.new) == ({"status": "booked"}, {"status": "cancelled"})


def test_a_refused_change_logs_nothing(clinic, desk):
    appointment = _book(clinic, by=desk)

    with pytest.raises(ChangeNotAllowed):
        services.mark_appointment(appointment, Appointment.Status.NO_SHOW, by=desk)

    assert list(AppointmentChange.objects.values_list("action", flat=True)) == [Change.BOOKED]


# --- The patient: online booking, the API, the e-mailed links --------------------------------


def test_online_booking_logs_the_booking_page(client, clinic):
    _, anna, _, kind, start = clinic
    when = start.isoformat().replace("+", "%2B")

    client.post(f"/portal/book/?type={kind.pk}&practitioner={anna.pk}&start={when}", DETAILS)

    row = _only(Appointment.objects.get(), Change.BOOKED)
    assert (row.user, row.actor, row.channel) == (None, "online booking", Channel.ONLINE)
    assert row.new["patient"]["name"] == "Olivia Smith"


def test_api_booking_logs_the_api(client, clinic):
    _, anna, _, kind, start = clinic
    body = {
        **DETAILS,
        "consent": True,
        "appointment_type": kind.pk,
        "practitioner": anna.pk,
        "start": start.isoformat(),
    }

    response = client.post("/api/v1/bookings", body, "application/json")

    assert response.status_code == 201
    row = _only(Appointment.objects.get(), Change.BOOKED)
    assert (row.actor, row.channel) == ("online booking", Channel.API)


def test_confirming_a_booking_request_logs_the_patient_link(clinic):
    _, anna, _, _, start = clinic
    follow_up = make_appointment_type(
        [anna], name="Return visit", new_patients_may_book_online=False
    )
    patient = make_patient()
    token = booking_request_token(
        patient_id=patient.pk,
        appointment_type_id=follow_up.pk,
        practitioner_id=anna.pk,
        start=start,
    )

    appointment = services.confirm_booking_request(token)

    row = _only(appointment, Change.BOOKED)
    assert (row.actor, row.channel) == ("patient via link", Channel.PATIENT_LINK)


def test_patient_reschedules_and_cancels_through_the_manage_link(client, clinic):
    _, _, _, _, start = clinic
    appointment = _book(clinic)
    token = manage_token(appointment)
    later = start + dt.timedelta(hours=3)

    client.post(f"/portal/booking/{token}/move/", {"start": later.isoformat()})
    client.post(f"/portal/booking/{token}/cancel/")

    moved, cancelled = _only(appointment, Change.MOVED), _only(appointment, Change.CANCELLED)
    assert (moved.actor, moved.channel) == ("patient via link", Channel.PATIENT_LINK)
    assert (moved.old["start"], moved.new["start"]) == (start.isoformat(), later.isoformat())
    assert (cancelled.user, cancelled.channel) == (None, Channel.PATIENT_LINK)
    assert cancelled.new == {"status": "cancelled"}


# --- The back office and the demo -------------------------------------------------------------


@pytest.fixture
def admin_user(client):
    user = make_user(
        Role.PRACTITIONER, is_staff=True, is_superuser=True, first_name="Ada", last_name="Min"
    )
    client.force_login(user)
    return user


def _admin_form(appointment, **changes) -> dict:
    start = changes.pop("start", appointment.start)
    end = start + dt.timedelta(minutes=appointment.appointment_type.duration_minutes)
    return {
        "practitioner": appointment.practitioner_id,
        "patient": appointment.patient_id,
        "location": appointment.location_id,
        "appointment_type": appointment.appointment_type_id,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.strftime("%Y-%m-%d"),
        "end_1": end.strftime("%H:%M:%S"),
        "status": appointment.status,
        **changes,
    }


def test_back_office_add_move_and_status_are_logged_through_the_service(client, clinic, admin_user):
    _, _, ben, _, start = clinic
    template = _book(clinic)  # only to borrow its fields for the add form
    services.cancel_appointment(template)
    later = start + dt.timedelta(hours=4)

    added = client.post(
        "/admin/scheduling/appointment/add/", _admin_form(template, status="booked")
    )
    appointment = Appointment.objects.exclude(pk=template.pk).get()
    moved = client.post(
        f"/admin/scheduling/appointment/{appointment.pk}/change/",
        _admin_form(appointment, start=later, practitioner=ben.pk),
    )
    unchanged = client.post(
        f"/admin/scheduling/appointment/{appointment.pk}/change/",
        _admin_form(Appointment.objects.get(pk=appointment.pk)),
    )
    appointment.refresh_from_db()
    marked = client.post(
        f"/admin/scheduling/appointment/{appointment.pk}/change/",
        _admin_form(appointment, status="arrived"),
    )

    assert added.status_code == moved.status_code == unchanged.status_code == marked.status_code
    assert added.status_code == 302
    rows = list(AppointmentChange.objects.filter(appointment=appointment))
    assert [(r.action, r.channel, r.user) for r in rows] == [
        (Change.BOOKED, Channel.ADMIN, admin_user),
        (Change.MOVED, Channel.ADMIN, admin_user),
        (Change.STATUS_CHANGED, Channel.ADMIN, admin_user),
    ]
    assert rows[1].new["start"] == later.isoformat()
    assert rows[1].new["practitioner"]["name"] == "Dr. Ben Okafor"
    assert (rows[2].old, rows[2].new) == ({"status": "booked"}, {"status": "arrived"})
    assert "Ada Min" in client.get(f"/admin/scheduling/appointment/{appointment.pk}/change/").text


def test_demo_appointments_are_logged_as_booked_by_the_system():
    load_demo_clinic()

    appointments = Appointment.objects.count()
    rows = AppointmentChange.objects.all()
    assert appointments > 0
    assert rows.filter(action=Change.BOOKED, channel=Channel.SYSTEM, actor="system").count() == (
        appointments
    )


# --- The staff page ---------------------------------------------------------------------------


def test_staff_page_shows_the_history_in_the_location_time(client, clinic, desk):
    location, _, ben, _, start = clinic
    appointment = _book(clinic, by=desk, now=dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC))
    services.move_appointment(appointment, start + dt.timedelta(hours=1), practitioner=ben, by=desk)

    page = client.get(f"/staff/appointments/{appointment.pk}/").text

    assert "History" in page
    assert "1 Jul 2026 09:30" in page  # 08:30 UTC is 09:30 in London in summer
    assert "Fiona Desk" in page and "Staff pages" in page
    old = start.astimezone(location.tz)
    new = old + dt.timedelta(hours=1)
    assert f"{old:%H:%M} → " in page and f"{new:%H:%M}" in page
    assert "Dr. Anna Weber → Dr. Ben Okafor" in page


def test_front_desk_sees_the_history_without_clinical_data(client, clinic, desk):
    appointment = _book(clinic, by=desk)

    response = client.get(f"/staff/appointments/{appointment.pk}/")

    assert response.status_code == 200
    assert "Booked" in response.text and "Fiona Desk" in response.text


def test_history_costs_the_same_queries_however_long_it_is(client, clinic, desk):
    short = _book(clinic, by=desk)
    _, _, _, _, start = clinic
    long = services.book_appointment(
        patient=make_patient(),
        practitioner=clinic[2],
        appointment_type=clinic[3],
        location=clinic[0],
        start=start,
        by=desk,
    )
    for hours in range(1, 11):
        services.move_appointment(long, start + dt.timedelta(hours=hours % 5 + 1), by=desk)
    assert AppointmentChange.objects.filter(appointment=long).count() == 11

    def queries(appointment) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/staff/appointments/{appointment.pk}/").status_code == 200
        return len(ctx.captured_queries)

    assert queries(long) == queries(short)


# --- Append-only ------------------------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete_a_row(clinic):
    row = AppointmentChange.objects.get(appointment=_book(clinic))

    row.actor = "someone else"
    with pytest.raises(ChangeLogImmutable):
        row.save()
    with pytest.raises(ChangeLogImmutable):
        row.delete()
    with pytest.raises(ChangeLogImmutable):
        AppointmentChange.objects.filter(pk=row.pk).update(actor="x")
    with pytest.raises(ChangeLogImmutable):
        AppointmentChange.objects.filter(pk=row.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE scheduling_appointmentchange SET actor = 'x'",
        "DELETE FROM scheduling_appointmentchange",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_a_row(clinic, sql):
    _book(clinic)

    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AppointmentChange.objects.get().actor == "system"


def test_the_database_refuses_replace_and_truncate(clinic):
    row = AppointmentChange.objects.get(appointment=_book(clinic))
    if connection.vendor == "sqlite":
        sql = (
            "INSERT OR REPLACE INTO scheduling_appointmentchange "
            "(id, appointment_id, occurred_at, actor, channel, action, old, new) "
            f"VALUES ({row.pk}, {row.appointment_id}, '2020-01-01', 'x', 'staff', 'booked', "
            "'{}', '{}')"
        )
    else:
        sql = "TRUNCATE scheduling_appointmentchange CASCADE"

    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AppointmentChange.objects.get().actor == "system"
