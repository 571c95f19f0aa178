"""``sotclinic restore PATH --yes``: put a backup made by ``sotclinic backup`` back in place,
with the media and documents archives found beside it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from sotclinic.backups.errors import BackupError
from sotclinic.backups.files import human_size
from sotclinic.backups.media import DOCUMENTS, MEDIA, check_archive, restore_tree
from sotclinic.backups.postgres import check_custom_dump, describe, is_custom_dump, restore_postgres
from sotclinic.backups.schema import schema_status
from sotclinic.backups.sqlite import check_sqlite_backup, is_sqlite_file, restore_sqlite


class Command(BaseCommand):
    help = (
        "Replace the configured database with a backup made by `sotclinic backup` "
        "(SQLite file or PostgreSQL custom dump), and the media and documents from the "
        "archives beside it. Refuses without --yes."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to restore")
        parser.add_argument(
            "--yes", action="store_true", help="really replace the current database"
        )

    def handle(self, *args, path: Path, yes: bool, **options):
        connection = connections["default"]
        path = path.resolve()
        try:
            replaced = self._check(path, connection)
            trees = self._file_trees(path)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}") from error
        for tree, archive, root in trees:
            replaced += f", the {tree.top} in {root} with {archive.name}"
        size = human_size(path.stat().st_size)
        if not yes:
            raise CommandError(
                f"This would replace everything in {replaced} with the backup {path} "
                f"({size}). Nothing was changed; run again with --yes to restore."
            )

        # The restore replaces the database under Django's feet; start from a fresh connection.
        connections.close_all()
        try:
            if connection.vendor == "sqlite":
                kept = restore_sqlite(path, Path(connection.settings_dict["NAME"]))
                if kept:
                    self.stdout.write(f"The database as it was before is kept at {kept}")
            else:
                restore_postgres(connection.settings_dict, path)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from error
        connections.close_all()
        self.stdout.write(f"Restored {replaced} from {path} ({size}).")
        for tree, archive, root in trees:
            try:
                kept = restore_tree(tree, archive, root)
            except BackupError as error:
                raise CommandError(f"Restore of the {tree.top} failed: {error}") from error
            self.stdout.write(f"{tree.label} restored into {root} from {archive}.")
            if kept:
                self.stdout.write(f"The {tree.top} as they were are kept at {kept}")
        self._report_schema()

    def _file_trees(self, path: Path) -> list:
        """(tree, archive, directory) of each files archive beside the backup, checked."""
        trees = []
        for tree, root in ((MEDIA, settings.MEDIA_ROOT), (DOCUMENTS, settings.DOCUMENTS_ROOT)):
            archive = tree.archive_path(path)
            if archive.is_file():
                check_archive(tree, archive)
                trees.append((tree, archive, Path(root)))
        return trees

    def _check(self, path: Path, connection) -> str:
        """Refuse a file that is not a backup for the configured database; say what it replaces."""
        if not path.is_file():
            raise BackupError(f"There is no backup file at {path}.")
        if connection.vendor == "sqlite":
            if is_custom_dump(path):
                raise BackupError(
                    f"{path} is a PostgreSQL dump, but the configured database is SQLite."
                )
            check_sqlite_backup(path)
            return f"the SQLite database at {connection.settings_dict['NAME']}"
        if connection.vendor == "postgresql":
            if is_sqlite_file(path):
                raise BackupError(
                    f"{path} is a SQLite backup, but the configured database is PostgreSQL."
                )
            check_custom_dump(path)
            return describe(connection.settings_dict)
        raise BackupError(f"Restoring a {connection.vendor} database is not supported.")

    def _report_schema(self) -> None:
        status = schema_status()
        if status.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup is from an older version of sotclinic: {len(status.pending)} "
                    f"migration(s) not applied yet ({', '.join(status.pending[:5])}"
                    f"{', ...' if len(status.pending) > 5 else ''}). "
                    "Run `sotclinic manage migrate` before starting the app."
                )
            )
        if status.unknown:
            self.stdout.write(
                self.style.WARNING(
                    "The backup is from a newer version of sotclinic than this one: it has "
                    f"migration(s) this code does not know ({', '.join(status.unknown[:5])}). "
                    "Upgrade sotclinic before starting the app."
                )
            )
        if not status.pending and not status.unknown:
            self.stdout.write("The database schema matches this version of sotclinic.")
