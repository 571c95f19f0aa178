"""Queue messages and send them: after the commit in-process, and by `sendmessages` later.

A failure to send is recorded on the row and retried with backoff; it never reaches the
request or the command that queued the message. Every send first claims its row, so the
in-process attempt and any number of `sendmessages` runners never send one row twice.
"""

import base64
import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Message

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes | str, str]  # filename, content, MIME type


def queue_email(
    *,
    to: str | Iterable[str],
    subject: str,
    body: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    kind: str = "",
) -> Message:
    """Write an e-mail to the outbox inside the caller's transaction and try to send it
    once that transaction commits. Nothing is queued if the caller's transaction rolls back;
    a failed send stays queued for `sendmessages`."""
    message = Message.objects.create(
        channel=Message.Channel.EMAIL,
        kind=kind,
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        body=body,
        html=html or "",
        attachments=[_stored_attachment(*attachment) for attachment in attachments],
    )
    transaction.on_commit(lambda: send_message(message.pk), robust=True)
    return message


def send_message(message_id: int, now: dt.datetime | None = None) -> bool:
    """Send one message now if it is due and no other sender holds it. True if sent."""
    claimed = _claim(now or timezone.now(), limit=1, message_id=message_id)
    return bool(claimed) and _send(claimed[0])


def send_due_messages(now: dt.datetime | None = None, batch: int = 50) -> tuple[int, int]:
    """Send every message that is due; return (sent, failed) for this run.

    Safe to run from several places at once: each row is claimed before it is sent.
    """
    now = now or timezone.now()
    sent = failed = 0
    while claimed := _claim(now, limit=batch):
        for message in claimed:
            if _send(message):
                sent += 1
            else:
                failed += 1
    return sent, failed


def _stored_attachment(filename: str, content: bytes | str, mimetype: str) -> dict:
    raw = content.encode() if isinstance(content, str) else content
    return {
        "filename": filename,
        "mimetype": mimetype,
        "content": base64.b64encode(raw).decode("ascii"),
    }


def _claim(now: dt.datetime, *, limit: int, message_id: int | None = None) -> list[Message]:
    """Take up to `limit` due rows for this sender by pushing them past the claim lease.

    PostgreSQL: rows locked by another sender are skipped. SQLite: every transaction is
    IMMEDIATE, so two claims never interleave. A sender that dies mid-send leaves its rows
    due again once the lease runs out.
    """
    lease = dt.timedelta(seconds=settings.MESSAGE_CLAIM_SECONDS)
    with transaction.atomic():
        due = Message.objects.filter(status=Message.Status.PENDING, next_attempt_at__lte=now)
        if message_id is not None:
            due = due.filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            next_attempt_at=now + lease, attempts=F("attempts") + 1
        )
        return list(Message.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))


def _send(message: Message) -> bool:
    try:
        _deliver(message)
    except Exception as exc:  # any transport failure: record it, retry later
        _record_failure(message, exc)
        return False
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _deliver(message: Message) -> None:
    email = EmailMultiAlternatives(subject=message.subject, body=message.body, to=message.to)
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    email.send()


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait before the next try: one minute, doubling per failed attempt, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(hours=6))


def _record_failure(message: Message, exc: Exception) -> None:
    gave_up = message.attempts >= settings.MESSAGE_MAX_ATTEMPTS
    # The error names the transport's complaint; the log line carries no address or content.
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED if gave_up else Message.Status.PENDING,
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    logger.warning(
        "Message %s (%s) failed on attempt %s%s: %s",
        message.pk,
        message.kind or "message",
        message.attempts,
        "; giving up" if gave_up else "; will retry",
        type(exc).__name__,
    )
