"""E-mails about an appointment are written by the sender, not by the request that queues
them: the booking's transaction writes one small row, and the text, HTML, invite and intake
link are made before the first try, from the appointment as it was at the change, and kept so
that every try sends the same e-mail."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_q.conf import Conf

from sotclinic.accounts.models import Role
from sotclinic.clinic_formats import clock
from sotclinic.intake.models import Intake
from sotclinic.messaging import services as outbox
from sotclinic.messaging.models import Message
from sotclinic.scheduling import services
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booking(settings):
    settings.SITE_URL = "https://clinic.example.org"
    location = make_location(name="Praxis am Park", time_zone="Europe/Berlin")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="First visit", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=5)
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)

    def book(**extra):
        return services.book_appointment(
            patient=make_patient(first_name="Olivia", last_name="Smith"),
            practitioner=doctor,
            appointment_type=kind,
            location=location,
            start=ten,
            by=make_user(Role.FRONT_DESK),
            **extra,
        )

    return book


def test_the_booking_queues_what_the_confirmation_is_made_of_and_the_sender_writes_it(
    booking, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: queued for a worker
    with transaction.atomic():
        appointment = booking()
    [queued] = Message.objects.all()
    assert (queued.body, queued.html, queued.attachments) == ("", "", [])
    assert queued.compose["composer"] == "scheduling.appointment"
    assert queued.compose["data"]["appointment"]["id"] == appointment.pk
    assert not Intake.objects.exists()  # the intake link is the sender's work too

    assert outbox.send_due_messages() == (1, 0)

    queued.refresh_from_db()
    assert queued.compose == {} and queued.status == Message.Status.SENT
    assert "Your appointment is booked." in queued.body and "Dr. Anna Weber" in queued.body
    [intake] = Intake.objects.all()
    assert intake.appointment_id == appointment.pk
    assert "https://clinic.example.org/intake/" in queued.body
    [sent] = mail.outbox
    assert sent.body == queued.body
    assert sent.alternatives[0][0] == queued.html
    assert sent.attachments[0][0] == "appointment.ics"


def test_a_confirmation_written_after_a_move_still_says_the_time_booked(booking, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: queued for a worker
    appointment = booking()
    services.move_appointment(
        appointment, start=appointment.start + dt.timedelta(hours=2), by=make_user(Role.FRONT_DESK)
    )

    booked_at = clock(appointment.start.astimezone(appointment.location.tz))
    appointment.refresh_from_db()
    moved_to = clock(appointment.start.astimezone(appointment.location.tz))

    outbox.send_due_messages()

    confirmation, moved = (m.body for m in Message.objects.order_by("pk"))
    assert f", {booked_at}–" in confirmation and moved_to not in confirmation
    assert f", {moved_to}–" in moved


def test_a_failure_while_writing_is_retried_and_leaves_nothing_it_wrote(booking, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: queued for a worker
    booking()
    composer = outbox._composers["scheduling.appointment"]

    def breaks_after_the_intake(data, message):
        composer(data, message)  # makes the intake it links to
        raise RuntimeError("the template went missing")

    monkeypatch.setitem(outbox._composers, "scheduling.appointment", breaks_after_the_intake)
    assert outbox.send_due_messages() == (0, 1)

    [message] = Message.objects.all()
    assert (message.status, message.attempts, message.body) == ("pending", 1, "")
    assert message.compose and "RuntimeError" in message.last_error
    assert not Intake.objects.exists() and mail.outbox == []

    monkeypatch.setitem(outbox._composers, "scheduling.appointment", composer)
    later = timezone.now() + dt.timedelta(hours=7)
    assert outbox.send_due_messages(now=later) == (1, 0)
    assert Intake.objects.count() == 1 and len(mail.outbox) == 1


def test_every_try_sends_the_text_written_for_the_first(booking, monkeypatch, smtp_down):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: queued for a worker
    booking()
    assert outbox.send_due_messages() == (0, 1)  # the mail server refuses
    [message] = Message.objects.all()
    first_text = message.body
    assert first_text and message.compose == {}

    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.send_due_messages(now=timezone.now() + dt.timedelta(hours=7)) == (1, 0)

    [sent] = mail.outbox
    assert sent.body == first_text
    assert Intake.objects.count() == 1  # written once, not once per try


def test_written_gives_the_text_before_the_sender_runs_and_keeps_it(booking, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # as in production: queued for a worker
    booking()
    [message] = Message.objects.all()

    assert "Your appointment is booked." in outbox.written(message).body

    message.refresh_from_db()
    assert message.compose == {} and "Your appointment is booked." in message.body
    assert outbox.written(message) is message  # already written: as it is


def test_an_unknown_composer_is_refused_when_queueing():
    with pytest.raises(LookupError):
        outbox.queue_email(to="a@example.com", subject="S", body="", compose=("nobody", {}))
    assert not Message.objects.exists()
