"""Writing a file so that it appears whole or not at all."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BackupError


@contextmanager
def atomic_output(path: Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary path (mode 0600) beside ``path``; on success it becomes ``path``.

    An existing ``path`` is refused unless ``replace`` is true, and then only replaced once the
    new file is complete.

    The file is fsynced before the rename and the directory after it, so a crash leaves either
    the finished file or nothing under ``path``. On any error the temporary file is removed.
    """
    if path.exists() and not replace:
        raise BackupError(f"{path} already exists; choose another --output.")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o600)
        fsync_file(tmp)
        os.replace(tmp, path)
        fsync_directory(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
