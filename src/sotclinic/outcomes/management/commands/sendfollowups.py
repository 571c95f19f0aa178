from django.core.management.base import BaseCommand

from sotclinic.outcomes.follow_ups import send_due_follow_ups


class Command(BaseCommand):
    help = (
        "E-mail follow-up questionnaires to patients who are due one (safe to run repeatedly; "
        "the background worker does this on its own)."
    )

    def handle(self, *args, **options):
        sent = send_due_follow_ups()
        self.stdout.write(f"Sent {sent} follow-up questionnaire(s).")
