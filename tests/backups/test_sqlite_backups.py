import re
import sqlite3
import stat
import tarfile

from sotclinic.backups.media import media_archive_path


def test_backup_then_restore_brings_the_data_back(clinic, tmp_path):
    clinic.add_group("Front desk")
    output = tmp_path / "nightly.sqlite3"

    backup = clinic.sotclinic("backup", "--output", str(output))
    assert backup.returncode == 0, backup.stderr
    assert str(output) in backup.stdout and ("KB" in backup.stdout or "MB" in backup.stdout)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert clinic.group_names(output) == {"Front desk"}

    clinic.add_group("Added after the backup")
    restore = clinic.sotclinic("restore", str(output), "--yes")

    assert restore.returncode == 0, restore.stderr
    assert clinic.group_names() == {"Front desk"}
    kept = clinic.var_dir / "sotclinic.sqlite3.before-restore"
    assert clinic.group_names(kept) == {"Front desk", "Added after the backup"}
    assert "schema matches" in restore.stdout


def test_backup_goes_to_var_backups_with_the_media_beside_it(clinic):
    photo = clinic.var_dir / "media" / "practitioners" / "anna.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"not really a jpeg")

    result = clinic.sotclinic("backup")

    assert result.returncode == 0, result.stderr
    (backup,) = (clinic.var_dir / "backups").glob("*.sqlite3")
    assert re.fullmatch(r"sotclinic-\d{8}-\d{6}\.sqlite3", backup.name)
    archive = media_archive_path(backup)
    assert str(archive) in result.stdout
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert tar.extractfile("media/practitioners/anna.jpg").read() == b"not really a jpeg"


def test_backup_while_another_connection_writes_is_a_consistent_copy(clinic, tmp_path):
    clinic.add_group("Checkpointed")
    writer = sqlite3.connect(clinic.database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the next commit only in the WAL
    writer.execute("INSERT INTO auth_group (name) VALUES ('Committed, only in the WAL')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO auth_group (name) VALUES ('Not committed')")
    output = tmp_path / "during-write.sqlite3"
    try:
        result = clinic.sotclinic("backup", "--output", str(output))
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert result.returncode == 0, result.stderr
    assert clinic.group_names(output) == {"Checkpointed", "Committed, only in the WAL"}
    copy = sqlite3.connect(output)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    assert not output.with_name(output.name + "-wal").exists()


def test_restore_without_yes_changes_nothing(clinic, tmp_path):
    output = tmp_path / "backup.sqlite3"
    assert clinic.sotclinic("backup", "--output", str(output)).returncode == 0
    clinic.add_group("Keep me")
    before = clinic.database.read_bytes()

    result = clinic.sotclinic("restore", str(output))

    assert result.returncode != 0
    assert "would replace" in result.stderr and str(clinic.database) in result.stderr
    assert "--yes" in result.stderr
    assert clinic.database.read_bytes() == before
    assert clinic.group_names() == {"Keep me"}
    assert not (clinic.var_dir / "sotclinic.sqlite3.before-restore").exists()


def test_restore_of_a_file_that_is_not_a_backup_is_refused(clinic, tmp_path):
    clinic.add_group("Keep me")
    before = clinic.database.read_bytes()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    other_database = tmp_path / "other.sqlite3"
    with sqlite3.connect(other_database) as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    connection.close()
    pg_dump_file = tmp_path / "clinic.dump"
    pg_dump_file.write_bytes(b"PGDMP\x01\x0e\x00")

    for path, reason in [
        (text_file, "is not a SQLite database"),
        (other_database, "not a sotclinic backup"),
        (pg_dump_file, "configured database is SQLite"),
        (tmp_path / "missing.sqlite3", "no backup file"),
    ]:
        result = clinic.sotclinic("restore", str(path), "--yes")

        assert result.returncode != 0, path
        assert "Restore refused" in result.stderr and reason in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert clinic.database.read_bytes() == before
    assert not (clinic.var_dir / "sotclinic.sqlite3.before-restore").exists()


def test_restore_of_a_backup_from_an_older_schema_says_to_migrate(clinic, tmp_path):
    output = tmp_path / "old.sqlite3"
    assert clinic.sotclinic("backup", "--output", str(output)).returncode == 0
    with sqlite3.connect(output) as connection:  # as if made before the latest migration
        connection.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)"
        )
    connection.close()

    result = clinic.sotclinic("restore", str(output), "--yes")

    assert result.returncode == 0, result.stderr
    assert "older version" in result.stdout
    assert "sotclinic manage migrate" in result.stdout


def test_failed_backup_leaves_no_file(clinic, tmp_path):
    clinic.database.write_bytes(b"this is not a database at all" * 200)
    out_dir = tmp_path / "out"
    output = out_dir / "broken.sqlite3"

    result = clinic.sotclinic("backup", "--output", str(output))

    assert result.returncode != 0
    assert "Backup failed" in result.stderr and "Traceback" not in result.stderr
    assert list(out_dir.iterdir()) == []


def test_backup_refuses_to_overwrite_an_existing_file(clinic, tmp_path):
    output = tmp_path / "taken.sqlite3"
    output.write_text("someone else's file")

    result = clinic.sotclinic("backup", "--output", str(output))

    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert output.read_text() == "someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.sqlite3", "var"]
