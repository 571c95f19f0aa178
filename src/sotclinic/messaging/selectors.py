"""Reads of the outbox that are more than a lookup."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.utils import timezone

from .models import Message, WorkerHeartbeat


@dataclass(frozen=True)
class OutboxState:
    """How far the senders are behind, for monitoring."""

    due: int  # waiting to be sent now (not held by a sender, not waiting for a retry)
    lag_seconds: float  # how long the longest-waiting of those has been due; 0 when none
    failed: int  # given up on after MESSAGE_MAX_ATTEMPTS tries


def outbox_state(now: dt.datetime | None = None) -> OutboxState:
    """Counts of due and failed messages and the lag of the oldest due one.

    A message is due from its ``next_attempt_at``: at first the time it was queued, after a
    failed try the time of the retry. A sender that claims a message moves that time past its
    lease, so a message being sent is not counted as waiting.
    """
    now = now or timezone.now()
    due = Message.objects.filter(status=Message.Status.PENDING, next_attempt_at__lte=now).aggregate(
        count=Count("pk"), oldest=Min("next_attempt_at")
    )
    failed = Message.objects.filter(status=Message.Status.FAILED).count()
    lag = (now - due["oldest"]).total_seconds() if due["oldest"] else 0.0
    return OutboxState(due=due["count"], lag_seconds=max(lag, 0.0), failed=failed)


def last_heartbeat() -> dt.datetime | None:
    """When a background worker was last seen alive (any worker); None if never."""
    return WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]


def outbox_messages(status: str = ""):
    """The outbox for the staff Messages page, newest first; only ``status`` when given."""
    messages = Message.objects.select_related("patient", "resent_by").order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    return messages


def failed_messages(limit: int = 100) -> list[Message]:
    """Messages given up on, oldest first, with their patient: one query."""
    return list(
        Message.objects.filter(status=Message.Status.FAILED)
        .select_related("patient")
        .order_by("created_at", "pk")[:limit]
    )
