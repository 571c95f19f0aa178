import os
import shutil
import stat
from urllib.parse import urlsplit, urlunsplit

import pytest

from sotclinic.backups.postgres import libpq_environment

from .conftest import run_sotclinic

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
needs_postgres = pytest.mark.skipif(
    not (ON_POSTGRES and shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs DATABASE_URL=postgres://… and pg_dump/pg_restore on PATH",
)


def _url_for(database: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def scratch_database(tmp_path):
    """A migrated database of its own on the test server, dropped afterwards."""
    import psycopg

    name = f"sotclinic_restore_test_{os.getpid()}"
    # The maintenance database: the one DATABASE_URL names need not exist yet.
    admin = psycopg.connect(_url_for("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = _url_for(name)
    try:
        result = run_sotclinic(tmp_path, url, "manage", "migrate", "--noinput")
        assert result.returncode == 0, result.stderr
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _group_names(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM auth_group")}


def _add_group(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("INSERT INTO auth_group (name) VALUES (%s)", (name,))


@needs_postgres
def test_postgres_backup_then_restore_brings_the_data_back(scratch_database, tmp_path):
    _add_group(scratch_database, "Front desk")
    document = tmp_path / "documents" / "ab" / "abc123"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"a signed consent")
    output = tmp_path / "nightly.dump"

    backup = run_sotclinic(tmp_path, scratch_database, "backup", "--output", str(output))
    assert backup.returncode == 0, backup.stderr
    assert str(output) in backup.stdout
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert output.read_bytes().startswith(b"PGDMP")

    _add_group(scratch_database, "Added after the backup")
    document.unlink()
    refused = run_sotclinic(tmp_path, scratch_database, "restore", str(output))
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert _group_names(scratch_database) == {"Front desk", "Added after the backup"}

    restore = run_sotclinic(tmp_path, scratch_database, "restore", str(output), "--yes")

    assert restore.returncode == 0, restore.stderr
    assert _group_names(scratch_database) == {"Front desk"}
    assert "schema matches" in restore.stdout
    assert document.read_bytes() == b"a signed consent"


@needs_postgres
def test_postgres_restore_refuses_a_sqlite_file(scratch_database, tmp_path):
    sqlite_file = tmp_path / "clinic.sqlite3"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    _add_group(scratch_database, "Keep me")

    result = run_sotclinic(tmp_path, scratch_database, "restore", str(sqlite_file), "--yes")

    assert result.returncode != 0
    assert "configured database is PostgreSQL" in result.stderr
    assert _group_names(scratch_database) == {"Keep me"}


@needs_postgres
def test_failed_postgres_backup_leaves_no_file(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    result = run_sotclinic(
        tmp_path,
        _url_for("sotclinic_no_such_database"),
        "backup",
        "--output",
        str(out_dir / "x.dump"),
    )

    assert result.returncode != 0
    assert "pg_dump failed" in result.stderr
    assert list(out_dir.iterdir()) == []


def test_backup_without_pg_dump_names_the_missing_tool(tmp_path):
    output = tmp_path / "x.dump"

    result = run_sotclinic(
        tmp_path,
        "postgres://postgres@127.0.0.1:5432/unused",
        "backup",
        "--output",
        str(output),
        path=str(tmp_path),  # no pg_dump here
    )

    assert result.returncode != 0
    assert "pg_dump was not found" in result.stderr
    assert not output.exists()


def test_password_goes_to_pg_tools_through_the_environment():
    env = libpq_environment(
        {
            "NAME": "clinic",
            "USER": "app",
            "PASSWORD": "s3cret",
            "HOST": "db",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )

    assert env["PGPASSWORD"] == "s3cret"
    assert (env["PGDATABASE"], env["PGUSER"], env["PGHOST"], env["PGPORT"]) == (
        "clinic",
        "app",
        "db",
        "5433",
    )
    assert env["PGSSLMODE"] == "require"
