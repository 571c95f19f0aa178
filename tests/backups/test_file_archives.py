"""`sotclinic backup` carries the uploaded files beside the database backup (the media and the
patients' private documents, DOCUMENTS_ROOT), and `sotclinic restore` puts them back."""

import io
import stat
import tarfile

from sotclinic.backups.media import DOCUMENTS


def _write(path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_backup_archives_the_documents_and_restore_puts_them_back(clinic, tmp_path):
    documents = clinic.var_dir / "documents"
    _write(documents / "3f" / "3fa9c1", b"%PDF-1.7 a signed consent")
    _write(clinic.var_dir / "media" / "practitioners" / "anna.jpg", b"not really a jpeg")
    output = tmp_path / "nightly.sqlite3"

    backup = clinic.sotclinic("backup", "--output", str(output))

    assert backup.returncode == 0, backup.stderr
    archive = DOCUMENTS.archive_path(output)
    assert archive.name == "nightly-documents.tar.gz"
    assert f"Documents backed up to {archive}" in backup.stdout
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert tar.extractfile("documents/3f/3fa9c1").read() == b"%PDF-1.7 a signed consent"

    (documents / "3f" / "3fa9c1").unlink()
    _write(documents / "77" / "77added", b"uploaded after the backup")
    _write(clinic.var_dir / "media" / "practitioners" / "anna.jpg", b"a newer photo")
    restore = clinic.sotclinic("restore", str(output), "--yes")

    assert restore.returncode == 0, restore.stderr
    assert (documents / "3f" / "3fa9c1").read_bytes() == b"%PDF-1.7 a signed consent"
    assert not (documents / "77").exists()
    kept = clinic.var_dir / "documents.before-restore"
    assert (kept / "77" / "77added").read_bytes() == b"uploaded after the backup"
    assert f"Documents restored into {documents}" in restore.stdout
    photo = clinic.var_dir / "media" / "practitioners" / "anna.jpg"
    assert photo.read_bytes() == b"not really a jpeg"
    assert not list(clinic.var_dir.glob(".documents.*")), "no unpacking folder is left"


def test_restore_without_yes_names_the_documents_and_changes_nothing(clinic, tmp_path):
    documents = clinic.var_dir / "documents"
    _write(documents / "a" / "one", b"one")
    output = tmp_path / "b.sqlite3"
    assert clinic.sotclinic("backup", "--output", str(output)).returncode == 0
    _write(documents / "a" / "two", b"two")

    result = clinic.sotclinic("restore", str(output))

    assert result.returncode != 0
    assert f"the documents in {documents}" in result.stderr
    assert sorted(p.name for p in (documents / "a").iterdir()) == ["one", "two"]


def _tar(path, members: dict[str, bytes | None]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def test_a_bad_documents_archive_is_refused_before_anything_is_replaced(clinic, tmp_path):
    output = tmp_path / "b.sqlite3"
    assert clinic.sotclinic("backup", "--output", str(output)).returncode == 0
    clinic.add_group("Keep me")
    before = clinic.database.read_bytes()
    archive = DOCUMENTS.archive_path(output)

    for members, reason in [
        ({"documents": None, "documents/../../escape": b"x"}, "not a readable documents"),
        ({"documents": None, "elsewhere/file": b"x"}, "outside documents/"),
        ({"media": None}, "outside documents/"),
        ({}, "has no documents/ folder"),
    ]:
        _tar(archive, members)
        result = clinic.sotclinic("restore", str(output), "--yes")

        assert result.returncode != 0
        assert "Restore refused" in result.stderr and reason in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    archive.write_bytes(b"not a tar at all")
    result = clinic.sotclinic("restore", str(output), "--yes")
    assert "Restore refused" in result.stderr and "not a readable" in result.stderr
    assert clinic.database.read_bytes() == before
    assert not (tmp_path / "escape").exists()


def test_documents_that_cannot_be_written_back_are_reported(clinic, tmp_path, monkeypatch):
    output = tmp_path / "b.sqlite3"
    assert clinic.sotclinic("backup", "--output", str(output)).returncode == 0
    _tar(DOCUMENTS.archive_path(output), {"documents": None, "documents/x": b"x"})
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("DOCUMENTS_ROOT", str(blocker / "documents"))

    result = clinic.sotclinic("restore", str(output), "--yes")

    assert result.returncode != 0
    assert "Restore of the documents failed" in result.stderr
    assert "Traceback" not in result.stderr
