"""Archiving the uploaded files beside a database backup, and putting them back.

Two directories: the media (practitioner photos, ``MEDIA_ROOT``) and the patients' private
documents (``DOCUMENTS_ROOT``). Each goes into a gzipped tar named after the database backup,
with one top folder (``media``, ``documents``).
"""

import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BackupError
from .files import atomic_output


@dataclass(frozen=True)
class FileTree:
    """One directory of uploaded files that a backup carries beside the database."""

    label: str
    top: str

    def archive_path(self, backup: Path) -> Path:
        """``sotclinic-20250101-120000.sqlite3`` → ``sotclinic-20250101-120000-<top>.tar.gz``."""
        return backup.with_name(f"{backup.stem}-{self.top}.tar.gz")


MEDIA = FileTree("Media", "media")
DOCUMENTS = FileTree("Documents", "documents")


def media_archive_path(backup: Path) -> Path:
    """``sotclinic-20250101-120000.sqlite3`` → ``sotclinic-20250101-120000-media.tar.gz``."""
    return MEDIA.archive_path(backup)


def archive_tree(tree: FileTree, root: Path, output: Path) -> None:
    """Write ``root`` as a gzipped tar (top folder ``tree.top``) to ``output``."""
    with atomic_output(output) as tmp:
        try:
            with tarfile.open(tmp, "w:gz") as archive:
                archive.add(root, arcname=tree.top)
        except OSError as error:
            raise BackupError(f"Could not archive the {tree.top} in {root}: {error}") from error


def check_archive(tree: FileTree, archive: Path) -> None:
    """BackupError unless ``archive`` is a readable tar whose files all sit under the tree's
    top folder and would unpack safely (no absolute paths, no links out of it)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                if member.name != tree.top and not member.name.startswith(f"{tree.top}/"):
                    raise BackupError(f"{archive} holds {member.name!r}, outside {tree.top}/.")
                tarfile.data_filter(member, "/nonexistent")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable {tree.top} archive: {error}") from error
    if not any(member.name == tree.top and member.isdir() for member in members):
        raise BackupError(f"{archive} has no {tree.top}/ folder.")


def restore_tree(tree: FileTree, archive: Path, root: Path) -> Path | None:
    """Replace ``root`` with the archive's files. The directory as it was is kept beside it as
    ``<root>.before-restore`` (replacing an older one), whose path is returned (None if there
    was none). The new directory appears whole or not at all."""
    check_archive(tree, archive)
    kept = None
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(unpacked, filter="data")
            if root.exists():
                kept = root.with_name(f"{root.name}.before-restore")
                shutil.rmtree(kept, ignore_errors=True)
                os.replace(root, kept)
            os.replace(unpacked / tree.top, root)
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Could not restore the {tree.top} into {root}: {error}") from error
    return kept
