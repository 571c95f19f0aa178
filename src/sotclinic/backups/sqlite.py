"""Backing up and restoring the SQLite database with SQLite's own online backup API.

The backup API copies the database as one consistent snapshot, including what is still only in
the write-ahead log, while the app goes on reading and writing. Restoring goes through the same
API *into* the live database: renaming a file over it instead would leave open connections on
the old file and could let a stale ``-wal`` file be replayed onto the new one.
"""

import sqlite3
from pathlib import Path

from .errors import BackupError
from .files import atomic_output

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every sotclinic database has once migrated: Django's migration record and our users.
REQUIRED_TABLES = ("django_migrations", "accounts_user")
BUSY_TIMEOUT_SECONDS = 20


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def copy_database(source: Path, destination: Path) -> None:
    """Copy ``source`` into ``destination`` (a new file) as one consistent snapshot."""
    try:
        src = _connect(source)
        try:
            dst = sqlite3.connect(destination)
            try:
                src.backup(dst)
                # One self-contained file: no -wal beside the copy is needed to read it.
                dst.execute("PRAGMA journal_mode=DELETE")
                problems = integrity_problems(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not copy the SQLite database {source}: {error}") from error
    if problems:
        raise BackupError(
            f"The copy of {source} failed its integrity check: {'; '.join(problems[:5])}"
        )


def backup_sqlite(database: Path, output: Path) -> None:
    """Write a verified copy of the live ``database`` to ``output``, whole or not at all."""
    if not database.exists():
        raise BackupError(f"There is no SQLite database at {database}; nothing to back up.")
    with atomic_output(output) as tmp:
        tmp.unlink()  # sqlite3 writes a fresh file
        copy_database(database, tmp)


def check_sqlite_backup(path: Path) -> None:
    """Refuse anything but an intact SQLite database holding sotclinic's tables."""
    if not is_sqlite_file(path):
        raise BackupError(f"{path} is not a SQLite database, so it is not a sotclinic backup.")
    try:
        connection = _connect(path, read_only=True)
        try:
            problems = integrity_problems(connection)
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not read {path} as a SQLite database: {error}") from error
    if problems:
        raise BackupError(f"{path} failed its integrity check: {'; '.join(problems[:5])}")
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise BackupError(
            f"{path} is a SQLite database but not a sotclinic backup "
            f"(it has no {', '.join(missing)} table)."
        )


def restore_sqlite(backup: Path, database: Path) -> Path | None:
    """Replace the contents of ``database`` with ``backup`` in one write transaction.

    The replaced database is first kept, as a consistent copy, at ``<database>.before-restore``;
    that path is returned (``None`` when there was no database yet).
    """
    check_sqlite_backup(backup)
    kept = None
    if database.exists():
        kept = database.with_name(database.name + ".before-restore")
        with atomic_output(kept, replace=True) as tmp:
            tmp.unlink()
            copy_database(database, tmp)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = _connect(backup, read_only=True)
        try:
            dst = _connect(database)
            try:
                dst.execute("PRAGMA synchronous=FULL")
                # pages=-1: every page in one step, so other connections see the old database
                # or the restored one, never a mixture.
                src.backup(dst, pages=-1)
                problems = integrity_problems(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore {backup} into {database}: {error}") from error
    if problems:
        raise BackupError(
            f"The restored database failed its integrity check: {'; '.join(problems[:5])}; "
            f"the database before the restore is kept at {kept}."
        )
    return kept
