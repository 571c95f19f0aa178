"""Follow-up questionnaires that are due: queued by the worker's scheduler (and `sendfollowups`)."""

from sotclinic.intake.services import send_follow_up
from sotclinic.outcomes.selectors import follow_ups_due
from sotclinic.scheduling.notifications import site_url


def send_due_follow_ups(base_url: str | None = None) -> int:
    """Queue a follow-up questionnaire for each patient who is due one; return how many.

    Safe to run repeatedly and from several workers: each follow-up is created once."""
    base_url = base_url or site_url()
    return sum(
        send_follow_up(due.patient, due.baseline, due.sequence, base_url)
        for due in follow_ups_due()
    )
