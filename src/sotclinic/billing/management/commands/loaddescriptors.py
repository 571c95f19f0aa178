from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sotclinic.billing.catalogue import load_descriptors
from sotclinic.billing.errors import BillingError


class Command(BaseCommand):
    help = (
        "Load a clinic's licensed code descriptors from a CSV file with the columns "
        "code_system, code, descriptor (e.g. CPT descriptors under an AMA licence)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            loaded = load_descriptors(file)
        except BillingError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{loaded.created} descriptors added, {loaded.kept} replaced.")
