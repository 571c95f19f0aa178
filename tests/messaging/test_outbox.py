"""The outbox: a queued e-mail is sent after commit, once, and retried when sending fails."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sotclinic.messaging.models import Message
from sotclinic.messaging.services import queue_email, send_due_messages
from tests.concurrency import run_at_once


def _queue(n: int = 0, **extra) -> Message:
    return queue_email(
        to=f"patient{n}@example.com",
        subject=f"Your appointment {n}",
        body="See you on Monday at 10:00.",
        kind="test",
        **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_queued_email_is_sent_after_the_commit_with_its_attachment():
    with transaction.atomic():
        message = _queue(
            html="<p>See you on Monday.</p>",
            attachments=[
                ("appointment.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
            ],
        )
        assert mail.outbox == []  # nothing leaves before the change is committed

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    [sent] = mail.outbox
    assert sent.to == ["patient0@example.com"]
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "appointment.ics"
    assert "BEGIN:VCALENDAR" in sent.attachments[0][1]


@pytest.mark.django_db(transaction=True)
def test_message_of_a_rolled_back_change_is_neither_kept_nor_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the change failed")

    assert Message.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_refused_send_is_recorded_with_backoff_and_never_raised(smtp_down):
    with transaction.atomic():
        message = _queue()

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_sendmessages_retries_a_failed_message_once_it_is_due(smtp_down, settings):
    with transaction.atomic():
        message = _queue()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    call_command("sendmessages", stdout=io.StringIO())  # not due yet: the backoff holds it
    assert mail.outbox == []
    send_due_messages(now=timezone.now() + dt.timedelta(hours=1))

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_message_is_marked_failed_after_the_last_attempt(smtp_down, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    with transaction.atomic():
        message = _queue()

    send_due_messages(now=timezone.now() + dt.timedelta(days=1))
    send_due_messages(now=timezone.now() + dt.timedelta(days=2))

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_message_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    for n in range(20):
        _queue(n)  # autocommit: tried at once, into the dummy backend, so left pending
    Message.objects.update(
        status=Message.Status.PENDING, attempts=0, sent_at=None, next_attempt_at=timezone.now()
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_at_once(lambda: send_due_messages(batch=3)) == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 20 == len(set(recipients))
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_sotclinic_command_line_offers_sendmessages():
    from sotclinic.cli import MANAGEMENT_ALIASES, USAGE

    assert "sendmessages" in MANAGEMENT_ALIASES
    assert "sendmessages" in USAGE
