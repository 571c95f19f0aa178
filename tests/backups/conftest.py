import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run_sotclinic(
    var_dir: Path, database_url: str, *args: str, path: str | None = None
) -> subprocess.CompletedProcess:
    """Run the real `sotclinic` command line in a child process against the given database."""
    env = dict(os.environ, SOTCLINIC_VAR_DIR=str(var_dir), DATABASE_URL=database_url)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One migrated SQLite database, copied for each test (migrating takes seconds)."""
    var_dir = tmp_path_factory.mktemp("migrated")
    database = var_dir / "sotclinic.sqlite3"
    result = run_sotclinic(var_dir, f"sqlite:///{database}", "manage", "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    return database


class Clinic:
    """A var/ directory with its own SQLite database, driven through the command line."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.database = var_dir / "sotclinic.sqlite3"
        self.database_url = f"sqlite:///{self.database}"

    def sotclinic(self, *args: str) -> subprocess.CompletedProcess:
        return run_sotclinic(self.var_dir, self.database_url, *args)

    def add_group(self, name: str) -> None:
        with sqlite3.connect(self.database) as connection:
            connection.execute("INSERT INTO auth_group (name) VALUES (?)", (name,))
        connection.close()

    def group_names(self, database: Path | None = None) -> set[str]:
        connection = sqlite3.connect(database or self.database)
        try:
            return {row[0] for row in connection.execute("SELECT name FROM auth_group")}
        finally:
            connection.close()


@pytest.fixture
def clinic(tmp_path, migrated_sqlite) -> Clinic:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copyfile(migrated_sqlite, var_dir / "sotclinic.sqlite3")
    return Clinic(var_dir)
