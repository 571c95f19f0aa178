"""sendreminders: who gets one, once, even with two runs at the same time."""

import datetime as dt
import io
import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from sotclinic.messaging.models import Message
from sotclinic.messaging.services import send_due_messages
from sotclinic.scheduling.models import Appointment, ClinicSettings
from sotclinic.scheduling.reminders import claim, send_due_reminders, send_reminders
from tests.concurrency import run_at_once
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
)


def _clinic():
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    return location, doctor, kind


@pytest.mark.django_db(transaction=True)
def test_reminds_appointments_within_the_window_once():
    location, doctor, kind = _clinic()
    settings = ClinicSettings.load()
    settings.cancellation_window_hours = 2  # the link still works five hours ahead
    settings.save()
    now = timezone.now()
    soon = make_appointment(doctor, now + dt.timedelta(hours=5), kind=kind, location=location)
    make_appointment(doctor, now + dt.timedelta(hours=30), kind=kind, location=location)
    make_appointment(
        doctor, now + dt.timedelta(hours=6), kind=kind, location=location, status="cancelled"
    )
    make_appointment(
        doctor,
        now + dt.timedelta(hours=7),
        patient=make_patient(email=""),
        kind=kind,
        location=location,
    )

    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())
    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())

    assert [m.to for m in mail.outbox] == [[soon.patient.email]]
    assert "Reminder" in mail.outbox[0].subject
    assert "/portal/booking/" in mail.outbox[0].body
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_moving_an_appointment_allows_a_new_reminder():
    from sotclinic.scheduling import services

    location, doctor, kind = _clinic()
    now = timezone.now()
    appointment = make_appointment(
        doctor, now + dt.timedelta(hours=5), kind=kind, location=location
    )
    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())

    # Eight hours on may fall after closing; staff confirm that, as the calendar asks them to.
    services.move_appointment(
        appointment, now + dt.timedelta(hours=8), outside_hours_by=doctor.user
    )
    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())

    subjects = [m.subject for m in mail.outbox]
    assert [s.split(":")[0] for s in subjects if s.startswith("Reminder")] == ["Reminder"] * 2
    assert len([s for s in subjects if s.endswith("has moved")]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once():
    location, doctor, kind = _clinic()
    now = timezone.now()
    for n in range(12):
        make_appointment(
            doctor, now + dt.timedelta(hours=2, minutes=40 * n), kind=kind, location=location
        )
    assert (
        run_at_once(lambda: call_command("sendreminders", "--hours", "24", stdout=io.StringIO()))
        == []
    )
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 12 == len(set(recipients))
    assert Appointment.objects.filter(reminder_sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_reminder_refused_by_the_mail_server_is_sent_by_a_later_sendmessages(smtp_down):
    location, doctor, kind = _clinic()
    now = timezone.now()
    appointment = make_appointment(
        doctor, now + dt.timedelta(hours=5), kind=kind, location=location
    )

    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("sendreminders", "--hours", "24", stdout=io.StringIO())
    send_due_messages(now=timezone.now() + dt.timedelta(hours=1))

    assert [m.to for m in mail.outbox] == [[appointment.patient.email]]
    [message] = Message.objects.all()
    assert (message.kind, message.status, message.attempts) == ("booking.reminder", "sent", 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone, channel",
    [
        ("07700 900123 (kept as typed)", "sms"),  # an unchecked number cannot be texted
        ("+12345", "both"),  # starts like E.164 but is no number libphonenumber accepts
        ("+99912345678", "sms"),  # written as E.164, but no country has the code 999
        ("+447400123456", "email"),  # a good number, but the patient asked for e-mail only
    ],
)
def test_a_patient_no_message_can_reach_is_neither_reminded_nor_marked_reminded(phone, channel):
    location, doctor, kind = _clinic()
    now = timezone.now()
    patient = make_patient(email="")
    # Stored as it stands: numbers from before the E.164 rule were kept as typed.
    type(patient).objects.filter(pk=patient.pk).update(phone=phone, contact_channel=channel)
    appointment = make_appointment(
        doctor, now + dt.timedelta(hours=5), patient=patient, kind=kind, location=location
    )

    assert send_due_reminders(24, now) == 0
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    assert not Message.objects.filter(patient=patient).exists()


@pytest.mark.django_db
def test_a_patient_reachable_by_text_only_is_reminded_by_text():
    location, doctor, kind = _clinic()
    now = timezone.now()
    patient = make_patient(email="")
    type(patient).objects.filter(pk=patient.pk).update(phone="+447400123456", contact_channel="sms")
    appointment = make_appointment(
        doctor, now + dt.timedelta(hours=5), patient=patient, kind=kind, location=location
    )

    assert send_due_reminders(24, now) == 1
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None
    assert Message.objects.filter(patient=patient, channel="sms").count() == 1


@pytest.mark.django_db
def test_the_workers_reminder_task_reminds_by_the_clinics_reminder_hours():
    location, doctor, kind = _clinic()
    settings = ClinicSettings.load()
    settings.reminder_hours = 12
    settings.cancellation_window_hours = 2
    settings.save()
    now = timezone.now()
    soon = make_appointment(doctor, now + dt.timedelta(hours=10), kind=kind, location=location)
    later = make_appointment(doctor, now + dt.timedelta(hours=20), kind=kind, location=location)

    assert send_reminders() == 1

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None and later.reminder_sent_at is None
    assert Message.objects.filter(to=[soon.patient.email]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_runner_skips_a_reminder_another_runner_claimed_after_it_listed_it():
    """The claim decides, not the list: a reminder taken by another runner between this run's
    list and its claim is neither sent nor counted again."""
    location, doctor, kind = _clinic()
    now = timezone.now()
    soon = make_appointment(doctor, now + dt.timedelta(hours=5), kind=kind, location=location)
    sent = []

    def second_runner():
        try:
            sent.append(send_due_reminders(24, now))
        finally:
            connection.close()

    with transaction.atomic():
        assert claim(soon.pk, now)  # the first runner holds its claim, not yet committed
        runner = threading.Thread(target=second_runner)
        runner.start()
        # The second runner lists the reminder (it sees no claim yet), then waits for the
        # first runner's transaction before its own claim.
        time.sleep(1)
    runner.join(timeout=60)

    assert sent == [0]
    assert not Message.objects.exists()
    soon.refresh_from_db()
    assert soon.reminder_sent_at == now
