"""Queue messages and send them: by a background worker, never inside a request.

`queue_email` and `queue_sms` write a row in the caller's transaction and, once it commits,
hand the row's id to the task queue (django-q2). A worker sends it; a failure is recorded on
the row and retried with backoff by the periodic sweep (`send_due_messages`), which also
catches any row whose hand-over to the queue was lost. Every send first claims its row, so any
number of workers on any number of machines never send one row twice.

An e-mail whose text takes work to write (templates, a calendar invite, links) can be queued
with what it is made from instead (`queue_email(compose=...)`): the request that causes it
writes one small row, and the sender writes the text with the composer an app registered
(`register_composer`) before the first try.
"""

import base64
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.background import after_commit
from sotclinic.errors import DomainError

from . import sms
from .models import Message, WorkerHeartbeat

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes | str, str]  # filename, content, MIME type

# An e-mail's text written from what it was queued with: (body, HTML, attachments). Given the
# ``data`` of `queue_email(compose=...)` and the message row (subject, sender, when queued).
Composed = tuple[str, str, list[Attachment]]
Composer = Callable[[dict, Message], Composed]
_composers: dict[str, Composer] = {}

# The header that carries the outbox row's id on every e-mail, to match what a mail server
# received with the outbox (and to spot a duplicate).
OUTBOX_HEADER = "X-Outbox-Message"


class NotResendable(DomainError):
    status_code = 409
    message = _("Only a message that was given up on can be sent again.")


def queue_email(
    *,
    to: str | Iterable[str],
    subject: str,
    body: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    kind: str = "",
    patient=None,
    sender_name: str = "",
    compose: tuple[str, dict] | None = None,
) -> Message:
    """Write an e-mail to the outbox inside the caller's transaction; a worker sends it once
    that transaction commits. Nothing is queued if the caller's transaction rolls back.

    ``sender_name`` (the clinic's name) is shown as the sender, with DEFAULT_FROM_EMAIL's
    address; with ``html`` the e-mail carries the text and the HTML version of one content.
    ``compose``: (composer name, data) instead of ``body``, ``html`` and ``attachments``; the
    sender writes them with that composer before the first try (see `register_composer`)."""
    if compose is not None:
        name, data = compose
        if name not in _composers:
            raise LookupError(f"no composer {name!r} is registered")
    message = Message.objects.create(
        channel=Message.Channel.EMAIL,
        kind=kind,
        patient=patient,
        sender_name=_one_line(sender_name),
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        body=body,
        html=html or "",
        attachments=[_stored_attachment(*attachment) for attachment in attachments],
        compose={"composer": name, "data": data} if compose is not None else {},
    )
    _hand_to_worker_after_commit(message.pk)
    return message


def register_composer(name: str, composer: Composer) -> None:
    """Have ``composer`` write the e-mails queued with ``compose=(name, data)`` (from an app's
    ``ready()``, so that every process that sends has it). It must write the same text from
    the same data: what it reads besides ``data`` may have changed since the queueing."""
    _composers[name] = composer


def queue_sms(
    *, to: str, body: str, kind: str = "", patient=None, sender_name: str = ""
) -> Message:
    """Write a text message to an E.164 number (+4930123456) to the outbox inside the caller's
    transaction; a worker sends it through SMS_BACKEND once that transaction commits."""
    message = Message.objects.create(
        channel=Message.Channel.SMS,
        kind=kind,
        patient=patient,
        sender_name=_one_line(sender_name),
        to=[to],
        body=body,
    )
    _hand_to_worker_after_commit(message.pk)
    return message


def send_message(message_id: int, now: dt.datetime | None = None) -> bool:
    """Send one message now if it is due and no other sender holds it. True if sent.

    The task a worker runs for each newly queued message."""
    claimed = _claim(now or timezone.now(), limit=1, message_id=message_id)
    return bool(claimed) and _send(claimed[0])


def send_due_messages(now: dt.datetime | None = None, batch: int = 50) -> tuple[int, int]:
    """Send every message that is due; return (sent, failed) for this run.

    The periodic sweep: retries whose backoff is over, and messages whose hand-over to the
    task queue was lost. Safe to run from several places at once: each row is claimed first.
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


@transaction.atomic
def resend(message_id: int, *, by) -> Message:
    """Try a message that was given up on again, from its first try: recorded with who asked
    (``by``, a user) and when. Raises NotResendable for a message that was not given up on."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status != Message.Status.FAILED:
        raise NotResendable()
    now = timezone.now()
    message.status = Message.Status.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.resent_at = now
    message.resent_by = by
    message.save(update_fields=["status", "attempts", "next_attempt_at", "resent_at", "resent_by"])
    _hand_to_worker_after_commit(message.pk)
    return message


def delete_old_messages(now: dt.datetime | None = None) -> int:
    """Delete messages sent more than MESSAGE_KEEP_SENT_DAYS ago (never pending or failed
    ones), and heartbeats of workers silent for a day. Returns how many messages went."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    if settings.MESSAGE_KEEP_SENT_DAYS <= 0:
        return 0
    cutoff = now - dt.timedelta(days=settings.MESSAGE_KEEP_SENT_DAYS)
    deleted, _ = Message.objects.filter(status=Message.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted


def record_heartbeat(worker: str, *, started: bool = False) -> None:
    """Note that background worker ``worker`` (host and process id) is alive now."""
    now = timezone.now()
    defaults = {"seen_at": now, **({"started_at": now} if started else {})}
    WorkerHeartbeat.objects.update_or_create(worker=worker[:200], defaults=defaults)


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait before the next try: MESSAGE_RETRY_SECONDS (a minute), doubling per failed
    attempt, at most MESSAGE_RETRY_MAX_SECONDS (six hours)."""
    first = settings.MESSAGE_RETRY_SECONDS
    seconds = min(first * 2 ** max(attempts - 1, 0), settings.MESSAGE_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def _hand_to_worker_after_commit(message_id: int) -> None:
    # A lost hand-over (broker unreachable) only delays the message until the next sweep.
    after_commit(
        "sotclinic.messaging.services.send_message",
        message_id,
        task_name=f"send message {message_id}",
        group="messages",
        robust=True,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


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
        written(message)
        if message.channel == Message.Channel.SMS:
            _deliver_sms(message)
        else:
            _deliver_email(message)
    except Exception as exc:  # any transport failure: record it, retry later
        _record_failure(message, exc)
        return False
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def written(message: Message) -> Message:
    """``message`` with its text: written now and kept, if it was queued with ``compose`` and
    not sent yet (as the sender would write it); else as it is."""
    if message.compose:
        _write_composed(message)
    return message


def _write_composed(message: Message) -> None:
    """Write the text of a message queued with ``compose`` and keep it on the row, so that a
    retry sends the same e-mail (a failure here is retried as a failed send is)."""
    name, data = message.compose["composer"], message.compose["data"]
    # One transaction: what the composer writes (an intake it links to) and the text it gives
    # are kept together, or neither is and the retry starts afresh.
    with transaction.atomic():
        body, html, attachments = _composers[name](data, message)
        message.body, message.html = body, html
        message.attachments = [_stored_attachment(*attachment) for attachment in attachments]
        message.compose = {}
        message.save(update_fields=["body", "html", "attachments", "compose"])


def _sender(message: Message) -> str:
    """ "Clinic name" <address of DEFAULT_FROM_EMAIL>, or DEFAULT_FROM_EMAIL as it is."""
    if not message.sender_name:
        return settings.DEFAULT_FROM_EMAIL
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    name = message.sender_name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}" <{address}>'


def _deliver_email(message: Message) -> None:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=_sender(message),
        to=message.to,
        headers={
            "Auto-Submitted": "auto-generated",
            OUTBOX_HEADER: str(message.pk),
            # One Message-ID per outbox row, whichever try delivers it.
            "Message-ID": f"<outbox-{message.pk}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>",
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    email.send()


def _deliver_sms(message: Message) -> None:
    sms.get_backend().send(message.to[0], message.body, message.sender_name)


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
