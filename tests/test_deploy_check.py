"""`manage check --deploy` is clean with the production environment the README documents."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "sotclinic.env.example"


def _documented_environment() -> dict[str, str]:
    """The example environment file, with each secret left empty filled in as it says."""
    env = {}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    for name in ("SECRET_KEY", "METRICS_TOKEN", "EMAIL_HOST_PASSWORD"):
        if not env[name]:
            env[name] = secrets.token_urlsafe(50)
    return env


def test_the_readme_points_to_the_example_environment():
    readme = (ROOT / "README.md").read_text()

    assert "deploy/sotclinic.env.example" in readme


@pytest.mark.parametrize("box", ["postgresql-and-redis", "one-box-sqlite"])
def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path, box):
    env = _documented_environment()
    if box == "one-box-sqlite":
        del env["DATABASE_URL"], env["REDIS_URL"]
    # Nothing from the test run's own environment that the app reads.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT"}
    }

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sotclinic.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env={
            **inherited,
            **env,
            "DJANGO_SETTINGS_MODULE": "sotclinic.settings",
            "SOTCLINIC_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert not re.search(r"\(\w+\.W\d+\)", result.stdout + result.stderr)
