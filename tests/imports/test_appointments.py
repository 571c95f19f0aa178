"""Future appointments from a ChiroTouch shaped export (US dates, 12-hour clock): booked
through scheduling's own rules, never double-booked, and not told to the patient again."""

import datetime as dt

import pytest
from django.db.models import F

from sotclinic.audit.models import AccessLog, Action
from sotclinic.imports.models import ExternalRecord
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import Appointment
from tests.factories import make_appointment, make_location, make_practitioner

from .conftest import future_day, import_file, review, upload

pytestmark = pytest.mark.django_db

PATIENTS = (
    "Account #,First,Last,DOB,Email,Cell Phone,Address 1,City,State,Zip\n"
    "A-1,Olivia,Hartley,03/07/1984,olivia@example.com,07400 123456,1 Quay Rd,Bath,,BA1 1AA\n"
    "A-2,Tom,Baker,11/30/1990,tom@example.com,,,,,\n"
)
HEADER = "Appt ID,Account #,Date,Time,Provider,Appt Type,Location,Status\n"


def us(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


@pytest.fixture
def patients(client, desk, clinic):
    response = import_file(client, "patient", "chirotouch", PATIENTS)
    assert b"2 created" in response.content


def appointments(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


def test_future_appointments_are_booked_in_the_locations_time(client, patients, clinic):
    day = future_day()
    text = appointments(
        f"9001,A-1,{us(day)},10:30 AM,Dr. Anna Weber,Adjustment,Harbour Street,Scheduled",
        f"9002,A-2,{us(day)},2:00 PM,Anna Weber,adjustment,,Confirmed",
    )

    response = import_file(client, "appointment", "chirotouch", text)

    assert b"2 created" in response.content
    olivia = Appointment.objects.get(patient__first_name="Olivia")
    local = olivia.start.astimezone(clinic["location"].tz)
    assert (local.date(), local.time()) == (day, dt.time(10, 30))
    assert olivia.practitioner == clinic["doctor"]
    assert olivia.appointment_type == clinic["kind"]
    tom = Appointment.objects.get(patient__first_name="Tom")
    assert tom.start.astimezone(clinic["location"].tz).time() == dt.time(14, 0)
    assert Message.objects.count() == 0  # agreed in the old system: no confirmations
    assert AccessLog.objects.filter(
        patient=olivia.patient, action=Action.IMPORT_RECORD, detail="appointment from ChiroTouch"
    ).exists()


def test_importing_the_appointments_again_changes_nothing(client, patients):
    text = appointments(f"9001,A-1,{us(future_day())},10:30 AM,Dr. Anna Weber,Adjustment,,")
    import_file(client, "appointment", "chirotouch", text)

    again = import_file(client, "appointment", "chirotouch", text)

    assert b"0 created, 0 changed, 0 linked, 1 unchanged" in again.content
    assert Appointment.objects.count() == 1


def test_an_appointment_changed_in_the_old_system_since_it_was_imported_is_a_problem(
    client, patients
):
    day = future_day()
    import_file(
        client,
        "appointment",
        "chirotouch",
        appointments(f"9001,A-1,{us(day)},10:30 AM,Dr. Anna Weber,Adjustment,,"),
    )

    response = upload(
        client,
        "appointment",
        "chirotouch",
        appointments(f"9001,A-1,{us(day)},11:30 AM,Dr. Anna Weber,Adjustment,,"),
    )

    assert response.context["result"].rows[0].problems == [
        "This appointment changed in the old system since it was imported; change it here by hand."
    ]


def test_an_imported_appointment_moved_here_since_is_unchanged_by_the_same_file(
    client, patients, clinic
):
    text = appointments(f"9001,A-1,{us(future_day())},10:30 AM,Dr. Anna Weber,Adjustment,,")
    import_file(client, "appointment", "chirotouch", text)
    hour = dt.timedelta(hours=1)
    Appointment.objects.update(
        start=F("start") + hour, end=F("end") + hour, blocked_until=F("blocked_until") + hour
    )

    again = import_file(client, "appointment", "chirotouch", text)

    assert b"1 unchanged" in again.content


def test_two_rows_at_the_same_time_for_one_practitioner_are_refused(client, patients):
    day = us(future_day())
    text = appointments(
        f"9001,A-1,{day},10:30 AM,Dr. Anna Weber,Adjustment,,",
        f"9002,A-2,{day},10:40 AM,Dr. Anna Weber,Adjustment,,",
    )

    check = upload(client, "appointment", "chirotouch", text)
    rows = check.context["result"].rows
    assert rows[0].problems == []
    assert "already has an appointment" in rows[1].problems[0]

    assert review(client, check, commit=True).status_code == 422
    assert Appointment.objects.count() == 0


def test_a_time_already_taken_in_the_calendar_is_refused(client, patients, clinic):
    day = future_day()
    start = dt.datetime.combine(day, dt.time(10, 30), tzinfo=clinic["location"].tz)
    make_appointment(clinic["doctor"], start, kind=clinic["kind"])

    response = upload(
        client,
        "appointment",
        "chirotouch",
        appointments(f"9001,A-1,{us(day)},10:30 AM,Dr. Anna Weber,Adjustment,,"),
    )

    assert response.context["summary"]["problems"] == 1


def test_past_and_cancelled_appointments_are_left_out(client, patients):
    text = appointments(
        "9001,A-1,01/15/2020,10:30 AM,Dr. Anna Weber,Adjustment,,Completed",
        f"9002,A-2,{us(future_day())},10:30 AM,Dr. Anna Weber,Adjustment,,Cancelled",
    )

    response = import_file(client, "appointment", "chirotouch", text)

    assert b"0 created, 0 changed, 0 linked, 0 unchanged, 2 left out" in response.content
    assert Appointment.objects.count() == 0


def test_names_the_clinic_does_not_know_are_problems_that_list_the_known_ones(client, patients):
    day = us(future_day())
    text = appointments(
        f"9001,A-1,{day},10:30 AM,Dr. Nobody,Adjustment,,",
        f"9002,A-2,{day},11:30 AM,Dr. Anna Weber,Massage,,",
        f"9003,A-9,{day},12:30 PM,Dr. Anna Weber,Adjustment,,",
        f"9004,A-2,{day},12:30 PM,Dr. Anna Weber,Adjustment,Elsewhere,",
    )

    rows = upload(client, "appointment", "chirotouch", text).context["result"].rows

    assert rows[0].problems == [
        "Practitioner “Dr. Nobody” is not one here (known: Dr. Anna Weber)."
    ]
    assert rows[1].problems == ["Appointment type “Massage” is not one here (known: Adjustment)."]
    assert rows[2].problems == [
        "No patient with the ID A-9 has been imported from ChiroTouch; import the patients file "
        "first."
    ]
    assert rows[3].problems == ["Location “Elsewhere” is not one here (known: Harbour Street)."]


def test_times_outside_opening_hours_are_refused_unless_accepted(client, patients):
    text = appointments(f"9001,A-1,{us(future_day())},7:00 PM,Dr. Anna Weber,Adjustment,,")

    check = upload(client, "appointment", "chirotouch", text)
    assert check.context["summary"]["problems"] == 1

    changed = review(client, check, commit=True, accept_outside_hours="on")
    assert changed.status_code == 422  # imports only what a check without problems saw
    accepted = review(client, check, accept_outside_hours="on")
    review(client, accepted, commit=True)

    assert Appointment.objects.get().outside_hours_by is not None


def test_a_start_with_an_offset_and_unreadable_starts(client, patients, clinic):
    day = future_day()
    text = (
        "ID,Patient ID,Appointment start,Practitioner,Appointment type\n"
        f"1,A-1,{day.isoformat()}T09:15:00+00:00,Anna Weber,Adjustment\n"
        f"2,A-2,{day.isoformat()}T25:00:00+00:00,Anna Weber,Adjustment\n"
        f"3,A-2,{day.isoformat()} quarter past,Anna Weber,Adjustment\n"
        "4,A-2,someday,Anna Weber,Adjustment\n"
    )

    check = upload(client, "appointment", "chirotouch", text, name="cliniko.csv")
    check = review(client, check, date_order="YMD", column_2="start", column_0="external_id")
    rows = check.context["result"].rows

    assert rows[0].problems == []
    assert "is not a date and time" in rows[1].problems[0]
    assert "is not a time" in rows[2].problems[0]
    assert "is not a date" in rows[3].problems[0]


def test_a_practitioner_at_several_locations_needs_the_location_column(client, patients, clinic):
    clinic["doctor"].locations.add(make_location(name="Second Site"))
    text = appointments(f"9001,A-1,{us(future_day())},10:30 AM,Dr. Anna Weber,Adjustment,,")

    rows = upload(client, "appointment", "chirotouch", text).context["result"].rows

    assert rows[0].problems == [
        "Dr. Anna Weber works at several locations; map the location column."
    ]


def test_two_practitioners_of_one_name_are_not_guessed_between(client, patients, clinic):
    make_practitioner(clinic["location"], display_name="Dr. Anna Weber")
    text = appointments(f"9001,A-1,{us(future_day())},10:30 AM,Dr. Anna Weber,Adjustment,,")

    rows = upload(client, "appointment", "chirotouch", text).context["result"].rows

    assert "is not one here" in rows[0].problems[0]
    assert ExternalRecord.objects.filter(kind="appointment").count() == 0
