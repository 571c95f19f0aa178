from django.core.management.base import BaseCommand

from sotclinic.scheduling.models import ClinicSettings
from sotclinic.scheduling.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail reminders for appointments starting within the next N hours. Each appointment "
        "is reminded once, even when several copies run at the same time; run it from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="Look this many hours ahead (default: the clinic's reminder setting).",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Address of the app for links in e-mails (default: $SITE_URL).",
        )

    def handle(self, *args, hours=None, base_url=None, **options):
        hours = hours if hours is not None else ClinicSettings.load().reminder_hours
        sent = send_due_reminders(hours, base_url=base_url)
        self.stdout.write(f"Sent {sent} reminder(s).")
