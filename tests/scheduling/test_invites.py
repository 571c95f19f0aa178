"""The patient's messages about an appointment: one for every change, whoever makes it, each
with an iTIP invite (RFC 5546) that two independent parsers read the same way."""

import base64
import datetime as dt
import io
import re

import icalendar
import pytest
import vobject
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.messaging.models import Message
from sotclinic.messaging.services import written
from sotclinic.scheduling import notifications, services
from sotclinic.scheduling.calendars import practitioner_feed
from sotclinic.scheduling.links import appointment_for_token
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def clinic():
    location = make_location(
        name="Praxis am Park",
        address="Parkstraße 1\n10115 Berlin",
        phone="+49 30 1234567",
        email="praxis@clinic.example.org",
        time_zone="Europe/Berlin",
    )
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="First visit", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=5)
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, doctor, kind, ten


def _staff_booking(clinic, patient=None, **extra):
    location, doctor, kind, ten = clinic
    return services.book_appointment(
        patient=patient or make_patient(first_name="Olivia", last_name="Smith"),
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=ten,
        by=make_user(Role.FRONT_DESK),
        **extra,
    )


def _messages(kind_prefix="booking."):
    """The queued messages, written as their sender writes them."""
    return [written(m) for m in Message.objects.filter(kind__startswith=kind_prefix).order_by("pk")]


def _invite(message: Message) -> tuple[bytes, str]:
    [attachment] = message.attachments
    assert attachment["filename"] == "appointment.ics"
    return base64.b64decode(attachment["content"]), attachment["mimetype"]


def _check_invite(message: Message, appointment: Appointment, method: str, sequence: int):
    """The RFC 5546 properties, read by icalendar and by vobject."""
    raw, mimetype = _invite(message)
    assert mimetype == f"text/calendar; method={method}"
    patient = appointment.patient
    uid = f"appointment-{appointment.pk}@clinic.example.org"
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"

    cal = icalendar.Calendar.from_ical(raw)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == method
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == sequence
    stamp = event.decoded("DTSTAMP")  # made as the message is queued; whole seconds
    assert message.created_at - dt.timedelta(seconds=2) < stamp <= message.created_at
    assert event.decoded("DTSTART") == appointment.start
    assert str(event["STATUS"]) == status
    assert str(event["LOCATION"]) == "Praxis am Park, Parkstraße 1, 10115 Berlin"
    assert str(event["ORGANIZER"]) == "mailto:praxis@clinic.example.org"
    assert event["ORGANIZER"].params["CN"] == "Praxis am Park"
    assert str(event["ATTENDEE"]) == f"mailto:{patient.email}"
    assert event["ATTENDEE"].params["CN"] == patient.full_name
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"

    other = vobject.readOne(raw.decode())
    vevent = other.vevent
    assert other.method.value == method
    assert vevent.uid.value == uid
    assert int(vevent.sequence.value) == sequence
    assert vevent.dtstamp.value == event.decoded("DTSTAMP")
    assert vevent.dtstart.value == appointment.start
    assert vevent.status.value == status
    assert vevent.location.value == "Praxis am Park, Parkstraße 1, 10115 Berlin"
    assert vevent.organizer.value == "mailto:praxis@clinic.example.org"
    assert vevent.organizer.params["CN"] == ["Praxis am Park"]
    assert vevent.attendee.value == f"mailto:{patient.email}"
    assert vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]


def test_staff_booking_move_and_cancel_each_send_the_patient_an_invite(clinic):
    location, doctor, kind, ten = clinic
    front_desk = make_user(Role.FRONT_DESK)

    booked = _staff_booking(clinic)
    services.move_appointment(booked, ten + dt.timedelta(hours=2), by=front_desk)
    services.cancel_appointment(booked, by=front_desk)

    booked.refresh_from_db()
    confirmation, moved, cancelled = _messages()
    assert [m.kind for m in (confirmation, moved, cancelled)] == [
        "booking.confirmation",
        "booking.moved",
        "booking.cancelled",
    ]
    assert {tuple(m.to) for m in (confirmation, moved, cancelled)} == {(booked.patient.email,)}
    confirmed_at = Appointment(**{**_fields(booked), "start": ten, "status": "booked"})
    _check_invite(confirmation, confirmed_at, "REQUEST", 0)
    moved_to = Appointment(**{**_fields(booked), "status": "booked"})
    _check_invite(moved, moved_to, "REQUEST", 1)
    _check_invite(cancelled, booked, "CANCEL", 2)
    assert booked.sequence == 2


def _fields(appointment: Appointment) -> dict:
    return {
        "pk": appointment.pk,
        "start": appointment.start,
        "patient": appointment.patient,
        "location": appointment.location,
        "status": appointment.status,
    }


def test_patient_booking_online_gets_a_request_invite(clinic):
    location, doctor, kind, ten = clinic
    kind.bookable_online = True
    kind.save()

    outcome = services.book_online(
        appointment_type_id=kind.pk,
        practitioner_id=doctor.pk,
        start=ten,
        first_name="Olivia",
        last_name="Smith",
        email="olivia@example.com",
        phone="",
        date_of_birth=dt.date(1985, 3, 4),
        consent=True,
    )

    [confirmation] = _messages()
    _check_invite(confirmation, outcome.appointment, "REQUEST", 0)


def test_patient_move_and_cancel_through_the_link_raise_the_sequence(clinic):
    location, doctor, kind, ten = clinic
    booked = _staff_booking(clinic)

    services.move_appointment(booked, ten + dt.timedelta(hours=1), by_patient=True)
    services.cancel_appointment(booked, by_patient=True)

    booked.refresh_from_db()
    _, moved, cancelled = _messages()
    _check_invite(moved, Appointment(**{**_fields(booked), "status": "booked"}), "REQUEST", 1)
    _check_invite(cancelled, booked, "CANCEL", 2)


def test_reminder_carries_the_current_invite(clinic):
    location, doctor, kind, ten = clinic
    booked = _staff_booking(clinic)
    services.move_appointment(booked, ten + dt.timedelta(hours=1), by=make_user(Role.FRONT_DESK))
    booked.refresh_from_db()

    call_command("sendreminders", "--hours", str(24 * 6), stdout=io.StringIO())

    [reminder] = _messages("booking.reminder")
    _check_invite(reminder, booked, "REQUEST", 1)


def test_back_office_changes_send_the_patient_the_same_messages(clinic):
    location, doctor, kind, ten = clinic
    admin = make_user(Role.FRONT_DESK, is_staff=True, is_superuser=True)
    appointment = Appointment(
        practitioner=doctor,
        patient=make_patient(),
        location=location,
        appointment_type=kind,
        start=ten,
        end=ten + dt.timedelta(minutes=30),
    )

    services.save_from_back_office(appointment, by=admin)
    stale = Appointment.objects.get(pk=appointment.pk)  # an admin form opened now
    appointment.start += dt.timedelta(hours=1)
    appointment.end += dt.timedelta(hours=1)
    services.save_from_back_office(appointment, by=admin)
    stale.status = Appointment.Status.CANCELLED
    stale.start, stale.end = appointment.start, appointment.end
    services.save_from_back_office(stale, by=admin)
    stale.status = Appointment.Status.BOOKED
    services.save_from_back_office(stale, by=admin)

    assert [m.kind for m in _messages()] == [
        "booking.confirmation",
        "booking.moved",
        "booking.cancelled",
        "booking.confirmation",
    ]
    sequences = [
        int(icalendar.Calendar.from_ical(_invite(m)[0]).walk("VEVENT")[0]["SEQUENCE"])
        for m in _messages()
    ]
    assert sequences == [0, 1, 2, 3]
    assert _invite(_messages()[2])[1] == "text/calendar; method=CANCEL"


def test_message_is_queued_in_the_same_transaction_as_the_change(clinic):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        _staff_booking(clinic)
        raise Abort

    assert not Appointment.objects.exists()
    assert not Message.objects.exists()


def test_uids_differ_between_installations(clinic, settings):
    first = _staff_booking(clinic)
    [booked] = _messages()  # written by this installation
    settings.SITE_URL = "http://127.0.0.1:8000"  # another one
    services.cancel_appointment(first, by=make_user(Role.FRONT_DESK))
    cancelled = _messages()[-1]

    one, other = (
        icalendar.Calendar.from_ical(_invite(m)[0]).walk("VEVENT")[0]["UID"]
        for m in (booked, cancelled)
    )
    assert one == f"appointment-{first.pk}@clinic.example.org"
    assert other == f"appointment-{first.pk}@127.0.0.1"


def test_sent_email_is_multipart_with_the_invite_method_in_its_content_type(
    clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _staff_booking(clinic)

    [email] = mail.outbox
    message = email.message()
    types = [part.get_content_type() for part in message.walk()]
    assert types == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = list(message.walk())[-1]
    assert calendar_part.get_param("method") == "REQUEST"
    html = email.alternatives[0][0]
    link = re.search(rf"{SITE}/portal/booking/\S+/", email.body).group(0)
    assert appointment_for_token(link.split("/")[-2]) == appointment
    assert f'href="{link}"' in html
    assert "Praxis am Park" in email.subject and "Praxis am Park" in html


def test_no_outgoing_email_names_the_software(clinic, django_capture_on_commit_callbacks):
    location, doctor, kind, ten = clinic
    front_desk = make_user(Role.FRONT_DESK)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _staff_booking(clinic)
        services.move_appointment(appointment, ten + dt.timedelta(hours=1), by=front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendreminders", "--hours", str(24 * 6), stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(appointment, by=front_desk)
        notifications.send_not_booked("someone@example.com", kind, location)

    assert len(mail.outbox) == 5
    for email in mail.outbox:
        assert "sotclinic" not in email.message().as_string().lower()


def test_messages_are_written_in_the_patients_language(clinic):
    german = make_patient(preferred_language="de")

    _staff_booking(clinic, patient=german)

    [message] = _messages()
    assert message.subject == "Ihr Termin in der Praxis Praxis am Park"
    assert "Ihr Termin ist gebucht." in message.body
    assert 'lang="de"' in message.html


def test_confirmation_goes_out_without_consent_to_other_contact(clinic):
    _staff_booking(clinic, patient=make_patient(consent_to_contact=False))

    assert [m.kind for m in _messages()] == ["booking.confirmation"]


def test_patient_who_asked_for_text_messages_gets_a_text_from_the_clinic(clinic):
    patient = make_patient(contact_channel="sms", phone="+4915123456789")

    _staff_booking(clinic, patient=patient)

    [message] = _messages()
    assert (message.channel, message.to) == ("sms", [patient.phone])
    assert message.patient == patient
    assert message.sender_name


def test_patient_who_asked_for_text_messages_without_a_phone_gets_email(clinic):
    patient = make_patient(contact_channel="sms", phone="")

    _staff_booking(clinic, patient=patient)

    [message] = _messages()
    assert (message.channel, message.to) == ("email", [patient.email])
    assert message.patient == patient


def test_patient_without_address_gets_nothing_and_the_booking_stands(clinic):
    appointment = _staff_booking(clinic, patient=make_patient(email=""))

    assert appointment.pk and not Message.objects.exists()


def test_changing_a_past_appointment_tells_the_patient_nothing(clinic):
    location, doctor, kind, ten = clinic
    past = make_appointment(doctor, timezone.now() - dt.timedelta(days=1), kind=kind)

    services.cancel_appointment(past, by=make_user(Role.FRONT_DESK))

    assert not Message.objects.exists()


# --- Reminders and the self-service window ----------------------------------------------------


def test_reminder_before_the_window_closes_offers_the_link(clinic):
    location, doctor, kind, ten = clinic
    settings = ClinicSettings.load()
    settings.cancellation_window_hours, settings.reminder_hours = 24, 48
    settings.save()
    appointment = make_appointment(doctor, timezone.now() + dt.timedelta(hours=47), kind=kind)

    call_command("sendreminders", stdout=io.StringIO())

    [reminder] = _messages("booking.reminder")
    link = re.search(rf"{SITE}/portal/booking/(\S+)/", reminder.body).group(1)
    assert appointment_for_token(link) == appointment
    assert "call" not in reminder.body


def test_reminder_after_the_window_closed_says_to_call(clinic):
    location, doctor, kind, ten = clinic
    appointment = make_appointment(
        doctor, timezone.now() + dt.timedelta(hours=5), kind=kind, location=location
    )

    call_command("sendreminders", stdout=io.StringIO())

    [reminder] = _messages("booking.reminder")
    assert "/portal/booking/" not in reminder.body and appointment.pk
    assert "please call us on +49 30 1234567" in reminder.body


def test_reminders_default_to_a_day_before_the_window_closes():
    settings = ClinicSettings.load()

    assert settings.reminder_hours == settings.cancellation_window_hours + 24


def test_reminder_hours_inside_the_window_are_refused():
    from django.core.exceptions import ValidationError

    settings = ClinicSettings.load()
    settings.cancellation_window_hours, settings.reminder_hours = 48, 24

    with pytest.raises(ValidationError, match="cancellation window"):
        settings.full_clean()


def test_site_url_defaults_to_the_address_make_run_serves():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", "from sotclinic import settings; print(settings.SITE_URL)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "http://127.0.0.1:8000"


# --- The practitioner's feed ------------------------------------------------------------------


def test_feed_has_status_location_sequence_and_refresh_interval(clinic):
    location, doctor, kind, ten = clinic
    kept = _staff_booking(clinic)
    gone = make_appointment(doctor, ten + dt.timedelta(hours=3), kind=kind, location=location)
    services.cancel_appointment(gone, by=make_user(Role.FRONT_DESK))

    raw = practitioner_feed(doctor, Appointment.objects.order_by("start"))

    cal = icalendar.Calendar.from_ical(raw)
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(minutes=15)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(cal["X-PUBLISHED-TTL"]) == "PT15M"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    first = events[f"appointment-{kept.pk}@clinic.example.org"]
    second = events[f"appointment-{gone.pk}@clinic.example.org"]
    assert (str(first["STATUS"]), int(first["SEQUENCE"])) == ("CONFIRMED", 0)
    assert (str(second["STATUS"]), int(second["SEQUENCE"])) == ("CANCELLED", 1)
    assert str(first["LOCATION"]).startswith("Praxis am Park")

    other = vobject.readOne(raw.decode())
    assert other.contents["refresh-interval"][0].value == "PT15M"
    assert sorted(e.status.value for e in other.vevent_list) == ["CANCELLED", "CONFIRMED"]


def test_patient_who_asked_for_text_messages_with_a_number_kept_as_typed_gets_email(clinic):
    patient = make_patient(contact_channel="sms", phone="ring the neighbour")

    _staff_booking(clinic, patient=patient)

    [message] = _messages()
    assert (message.channel, message.to) == ("email", [patient.email])
