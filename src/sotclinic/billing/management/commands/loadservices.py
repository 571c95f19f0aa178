from django.core.management.base import BaseCommand

from sotclinic.billing.catalogue import load_services


class Command(BaseCommand):
    help = "Add the billing codes sotclinic ships (with its own labels); safe to run again."

    def handle(self, *args, **options):
        loaded = load_services()
        self.stdout.write(f"{loaded.created} services added, {loaded.kept} already there.")
