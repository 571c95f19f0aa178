"""Reminders, safe to run periodically and from two places at once.

A reminder goes out ``ClinicSettings.reminder_hours`` before the visit, which is more than
the cancellation window, so its link to cancel or move still works; one sent later (the
visit was booked or moved inside that time) tells the patient to call instead.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import notifications
from .models import Appointment, ClinicSettings


def due_reminders(hours: int, now: dt.datetime):
    """Booked appointments starting within ``hours`` of ``now``, not yet reminded, whose
    patient may be reachable: an address, or a number in E.164 form for a patient who takes
    text messages (``notifications.channels_for`` decides for each one before it is claimed)."""
    textable = Q(patient__contact_channel__in=["sms", "both"]) & Q(
        patient__phone__regex=r"^\+[1-9][0-9]{5,14}$"
    )
    unreachable = (Q(patient__email="") | Q(patient__email__isnull=True)) & ~textable
    return (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            start__gt=now,
            start__lte=now + dt.timedelta(hours=hours),
            reminder_sent_at__isnull=True,
        )
        .exclude(unreachable)
        .order_by("start")
    )


def claim(appointment_id: int, now: dt.datetime) -> bool:
    """Take the right to remind: one atomic UPDATE, so of two runners only one wins a row."""
    return (
        Appointment.objects.filter(pk=appointment_id, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        == 1
    )


def send_due_reminders(
    hours: int, now: dt.datetime | None = None, base_url: str | None = None
) -> int:
    """Queue a reminder for every patient whose booked appointment starts within `hours`,
    once.

    Returns how many reminders this run queued. The claim and the queued message commit
    together; the outbox retries a reminder whose sending fails.
    """
    now = now or timezone.now()
    sent = 0
    for appointment_id in list(due_reminders(hours, now).values_list("pk", flat=True)):
        with transaction.atomic():
            appointment = Appointment.objects.select_related(
                "patient", "practitioner", "appointment_type", "location"
            ).get(pk=appointment_id)
            # Marked reminded only when a message can go out: a patient no channel reaches
            # stays unmarked, so a reminder follows once the address or number is fixed.
            if not notifications.channels_for(appointment.patient):
                continue
            if not claim(appointment_id, now):
                continue  # another runner took it
            notifications.send_reminder(appointment, base_url, now)
        sent += 1
    return sent


def send_reminders() -> int:
    """Queue the reminders that are due by the clinic's reminder setting (the worker's
    periodic task); returns how many."""
    return send_due_reminders(ClinicSettings.load().reminder_hours)
