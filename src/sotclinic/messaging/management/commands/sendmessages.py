from django.core.management.base import BaseCommand

from sotclinic.messaging.services import send_due_messages


class Command(BaseCommand):
    help = (
        "Send every queued message that is due (new ones and retries of failed ones). Each "
        "message is sent once, even when several copies run at the same time; run it from "
        "cron every minute or two."
    )

    def handle(self, *args, **options):
        sent, failed = send_due_messages()
        self.stdout.write(
            f"Sent {sent} message(s); {failed} failed (retried later unless given up)."
        )
