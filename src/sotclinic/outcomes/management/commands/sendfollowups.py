from django.core.management.base import BaseCommand

from sotclinic.intake.services import send_follow_up
from sotclinic.outcomes.selectors import follow_ups_due
from sotclinic.scheduling.notifications import site_url


class Command(BaseCommand):
    help = "E-mail follow-up questionnaires to patients who are due one (safe to run repeatedly)."

    def handle(self, *args, **options):
        base_url = site_url()
        sent = sum(
            send_follow_up(due.patient, due.baseline, due.sequence, base_url)
            for due in follow_ups_due()
        )
        self.stdout.write(f"Sent {sent} follow-up questionnaire(s).")
