"""``sotclinic backup``: a verified copy of the database, and of the uploaded media and the
patients' documents."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from sotclinic.backups.errors import BackupError
from sotclinic.backups.files import human_size
from sotclinic.backups.media import DOCUMENTS, MEDIA, archive_tree
from sotclinic.backups.postgres import backup_postgres
from sotclinic.backups.sqlite import backup_sqlite


class Command(BaseCommand):
    help = (
        "Write a backup of the database (SQLite: a verified online copy; PostgreSQL: pg_dump "
        "custom format) to var/backups/, and beside it the uploaded media and the patients' "
        "documents (DOCUMENTS_ROOT), each as a .tar.gz."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="where to write the database backup (default: var/backups/sotclinic-<time>.*)",
        )

    def handle(self, *args, output: Path | None, **options):
        settings_dict = connections["default"].settings_dict
        vendor = connections["default"].vendor
        if output is None:
            suffix = {"sqlite": ".sqlite3", "postgresql": ".dump"}.get(vendor, ".backup")
            stamp = time.strftime("%Y%m%d-%H%M%S")
            output = Path(settings.VAR_DIR) / "backups" / f"sotclinic-{stamp}{suffix}"
        output = output.resolve()
        try:
            if vendor == "sqlite":
                backup_sqlite(Path(settings_dict["NAME"]), output)
            elif vendor == "postgresql":
                backup_postgres(settings_dict, output)
            else:
                raise BackupError(f"Backups of a {vendor} database are not supported.")
            self.stdout.write(
                f"Database backed up to {output} ({human_size(output.stat().st_size)})"
            )
            for tree, root in ((MEDIA, settings.MEDIA_ROOT), (DOCUMENTS, settings.DOCUMENTS_ROOT)):
                if Path(root).is_dir():
                    archive = tree.archive_path(output)
                    archive_tree(tree, Path(root), archive)
                    size = human_size(archive.stat().st_size)
                    self.stdout.write(f"{tree.label} backed up to {archive} ({size})")
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
