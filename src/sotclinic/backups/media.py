"""Archiving the uploaded media (practitioner photos) beside a database backup."""

import tarfile
from pathlib import Path

from .errors import BackupError
from .files import atomic_output


def media_archive_path(backup: Path) -> Path:
    """``sotclinic-20250101-120000.sqlite3`` → ``sotclinic-20250101-120000-media.tar.gz``."""
    return backup.with_name(f"{backup.stem}-media.tar.gz")


def archive_media(media_root: Path, output: Path) -> None:
    """Write ``media_root`` as a gzipped tar (top folder ``media``) to ``output``."""
    with atomic_output(output) as tmp:
        try:
            with tarfile.open(tmp, "w:gz") as archive:
                archive.add(media_root, arcname="media")
        except OSError as error:
            raise BackupError(f"Could not archive the media in {media_root}: {error}") from error
