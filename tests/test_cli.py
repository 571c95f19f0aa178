import subprocess
import sys


def _sotclinic(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_the_commands():
    result = _sotclinic("--help")

    assert result.returncode == 0
    for command in ("serve", "demo", "manage"):
        assert command in result.stdout


def test_unknown_command_fails_with_usage():
    result = _sotclinic("frobnicate")

    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_manage_runs_django_commands():
    result = _sotclinic("manage", "check")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_sendfollowups_runs_the_follow_up_command(tmp_path):
    import os

    # A fresh SQLite database under tmp_path, never the developer's or a shared server.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SOTCLINIC_VAR_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "sotclinic.cli"]
    migrate = subprocess.run(
        [*command, "manage", "migrate", "--noinput"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert migrate.returncode == 0, migrate.stderr

    result = subprocess.run(
        [*command, "sendfollowups"], capture_output=True, text=True, timeout=60, env=env
    )

    assert result.returncode == 0, result.stderr
    assert "Sent 0 follow-up questionnaire(s)." in result.stdout
    assert "sendfollowups" in _sotclinic("--help").stdout
