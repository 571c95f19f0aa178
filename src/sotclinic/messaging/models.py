"""The outbox: every outgoing message is a row, written in the transaction that causes it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One outgoing message and its delivery state.

    Rows are written by `services.queue_email` / `queue_sms` inside the caller's transaction, so
    a message exists exactly when the change that caused it was committed. Senders claim due
    rows by moving `next_attempt_at` past the claim lease, so two senders never send one row.

    An e-mail may be queued with what its text is made from (`compose`) instead of the text:
    the sender writes body, HTML and attachments from it before the first try and keeps them,
    so every try sends the same e-mail.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    # What the message is about, e.g. "booking.confirmation"; for people reading the outbox.
    kind = models.CharField(max_length=60, blank=True)
    # Whom it is for, when it is for a patient (the Messages page, contact consent).
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # The clinic's name as the sender shows it ("Example Chiropractic" <clinic@example.com>).
    sender_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    # [{"filename": ..., "mimetype": ..., "content": base64}]
    attachments = models.JSONField(default=list, blank=True)
    # Until the text is written: {"composer": name, "data": what it takes, JSON}
    # (`services.register_composer`); empty once written, and for a message queued written.
    # The database's own default too, so a row written without it (by code of the release
    # before, while the servers are replaced one by one) is a written message.
    compose = models.JSONField(default=dict, db_default={}, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The last time a person sent a message again after it had been given up on, and who.
    resent_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind or self.subject} ({self.status})"


class WorkerHeartbeat(models.Model):
    """A background worker's last sign of life, written every WORKER_HEARTBEAT_SECONDS.

    /healthz reads the newest one; a row per worker process shows which ones run where.
    """

    worker = models.CharField(max_length=200, unique=True)  # host name and process id
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker} (seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
