"""Backing up and restoring PostgreSQL with ``pg_dump`` and ``pg_restore``.

The connection goes to the tools through libpq's environment variables, never through their
command line, where ``ps`` would show a password to every user of the machine.
"""

import os
import shutil
import subprocess
from pathlib import Path

from .errors import BackupError
from .files import atomic_output
from .sqlite import REQUIRED_TABLES

CUSTOM_DUMP_MAGIC = b"PGDMP"
# Django connection OPTIONS that libpq also reads from the environment.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The process environment plus the PG* variables for Django's ``settings_dict``."""
    env = dict(os.environ)
    values = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    for option, variable in LIBPQ_OPTIONS.items():
        values[variable] = (settings_dict.get("OPTIONS") or {}).get(option)
    for variable, value in values.items():
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def describe(settings_dict: dict) -> str:
    host = settings_dict.get("HOST") or "the local socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"the PostgreSQL database {settings_dict.get('NAME')!r} on {host}{port}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) in the version of the server or newer."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result.stdout


def is_custom_dump(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(CUSTOM_DUMP_MAGIC)) == CUSTOM_DUMP_MAGIC


def backup_postgres(settings_dict: dict, output: Path) -> None:
    """Dump the configured database to ``output`` in pg_dump's custom format, then verify it."""
    pg_dump = _tool("pg_dump")
    pg_restore = _tool("pg_restore")
    env = libpq_environment(settings_dict)
    with atomic_output(output) as tmp:
        # --no-password: a missing password fails at once instead of waiting for a prompt.
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--file={tmp}"],
            env,
            "pg_dump",
        )
        # Reading the table of contents back proves the archive is complete and readable.
        _run([pg_restore, "--list", str(tmp)], env, "Checking the dump with pg_restore --list")


def check_custom_dump(path: Path) -> None:
    if not is_custom_dump(path):
        raise BackupError(
            f"{path} is not a PostgreSQL custom-format dump (pg_dump --format=custom), "
            f"so it is not a sotclinic backup for PostgreSQL."
        )
    contents = _run(
        [_tool("pg_restore"), "--list", str(path)],
        dict(os.environ),
        f"Reading {path} with pg_restore --list",
    )
    # Entries read "226; 1259 108307 TABLE public accounts_user owner".
    tables = {
        fields[5]
        for fields in (line.split() for line in contents.splitlines())
        if len(fields) > 5 and fields[3] == "TABLE"
    }
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise BackupError(
            f"{path} is a PostgreSQL dump but not a sotclinic backup "
            f"(it has no {', '.join(missing)} table)."
        )


def restore_postgres(settings_dict: dict, dump: Path) -> None:
    """Replace the configured database's objects with those in ``dump``, in one transaction."""
    check_custom_dump(dump)
    pg_restore = _tool("pg_restore")
    env = libpq_environment(settings_dict)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # All or nothing: a failure part-way leaves the database as it was.
            "--single-transaction",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
