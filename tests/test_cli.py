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
