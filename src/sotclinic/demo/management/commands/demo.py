from django.core.management.base import BaseCommand

from sotclinic.demo.clinic import DEMO_LOGINS, DEMO_PASSWORD, load_demo_clinic


class Command(BaseCommand):
    help = "Load the demo clinic (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        created = load_demo_clinic()
        self.stdout.write("Demo clinic loaded." if created else "Demo clinic already present.")
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'):")
        for username, role, name in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {role:<13} {name}")
