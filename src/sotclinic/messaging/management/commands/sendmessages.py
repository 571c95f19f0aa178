from django.core.management.base import BaseCommand

from sotclinic.messaging.services import send_due_messages


class Command(BaseCommand):
    help = (
        "Send every queued message that is due (new ones and retries of failed ones) now. "
        "The background worker (sotclinic worker) does this every minute on its own; each "
        "message is sent once, even when several senders run at the same time."
    )

    def handle(self, *args, **options):
        sent, failed = send_due_messages()
        self.stdout.write(
            f"Sent {sent} message(s); {failed} failed (retried later unless given up)."
        )
