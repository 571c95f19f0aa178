"""The `sotclinic` command: serve, demo, reminders, backup, restore and Django commands."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

USAGE = """usage: sotclinic COMMAND [ARGS...]

commands:
  serve            serve the app with gunicorn on $HOST:$PORT (default 127.0.0.1:8000)
  worker           run a background worker: sends messages, reminders, follow-ups
  demo             load the demo clinic (idempotent)
  sendreminders    e-mail reminders for upcoming appointments
  sendfollowups    e-mail follow-up questionnaires that are due
  sendmessages     send queued messages that are due now (the worker does it too)
  backup           write a backup of the database
  restore          restore a backup
  manage ARGS...   any Django management command (migrate, createsuperuser, ...)
"""

# Subcommands that are plain management commands of the project.
MANAGEMENT_ALIASES = {
    "demo",
    "sendreminders",
    "sendfollowups",
    "sendmessages",
    "backup",
    "restore",
}


def _django_manage(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sotclinic.settings")
    execute_from_command_line(["sotclinic manage", *argv])


def _shared_metrics_directory() -> None:
    """Give gunicorn's workers one directory for their Prometheus counters, empty at start.

    ``PROMETHEUS_MULTIPROC_DIR`` must be set before the workers import prometheus_client; when
    the environment names none, a private temporary directory is made and removed on exit.
    """
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        directory = Path(named)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # counters of an earlier run
            stale.unlink()
        return
    directory = Path(tempfile.mkdtemp(prefix="sotclinic-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    import atexit

    # Workers are forked with this exit hook too; only the process that made it removes it.
    owner = os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(directory, ignore_errors=True))


def serve(argv: list[str]) -> None:
    """Run gunicorn; the worker count and bind address come from the environment."""
    from gunicorn.app.wsgiapp import run

    _shared_metrics_directory()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--threads",
        os.environ.get("GUNICORN_THREADS", "4"),
        "--access-logfile",
        os.environ.get("ACCESS_LOG", "-"),
        "--logger-class",
        "sotclinic.log_redaction.RedactingAccessLogger",
        "--access-logformat",
        # Only method, path without query string, status, size and the app's request id: no
        # patient data in logs. With LOG_FORMAT=json the same fields as one JSON object.
        '%(h)s "%(m)s %(U)s" %(s)s %(B)s %({x-request-id}o)s',
        *argv,
        "sotclinic.wsgi:application",
    ]
    run()


def worker(argv: list[str]) -> None:
    """Run one background worker (sotclinic.worker) until stopped."""
    import django

    if argv:
        print("sotclinic worker takes no arguments (see WORKER_PROCESSES)", file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sotclinic.settings")
    django.setup()
    from sotclinic.worker import run

    run()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command == "serve":
        serve(rest)
    elif command == "worker":
        worker(rest)
    elif command == "manage":
        _django_manage(rest)
    elif command in MANAGEMENT_ALIASES:
        _django_manage([command, *rest])
    else:
        print(f"sotclinic: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
