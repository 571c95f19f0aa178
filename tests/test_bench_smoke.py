"""The page benchmark runs end to end on a tiny practice: generator, server, every page.

A smoke run only: one round, a few dozen rows, no figure is judged (benchmarks are measured
with `make bench`, never asserted in tests).
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent


def test_page_benchmark_runs_on_a_tiny_practice(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    out = tmp_path / "pages.json"
    command = [sys.executable, "bench/pages.py", "--scales", "0.002", "--rounds", "1"]
    command += ["--repeat", "1", "--json", str(out)]

    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)

    [result] = json.loads(out.read_text())
    assert result["database"] == "sqlite"
    assert set(result["pages"]) == {
        "floor",
        "dashboard",
        "day list",
        "patient search",
        "chart, 200 visits",
        "booking POST",
        "revenue report",
        "A/R ageing",
    }
    assert all(page["queries"] > 0 for page in result["pages"].values())


def test_writers_benchmark_runs_on_a_tiny_practice(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    out = tmp_path / "writers.json"
    command = [sys.executable, "bench/writers.py", "--scale", "0.002", "--writers", "2"]
    command += ["--readers", "1", "--seconds", "1", "--solo", "2", "--json", str(out)]

    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)

    result = json.loads(out.read_text())
    assert result["writer_errors"] == 0 and result["reader_errors"] == 0
    assert result["bookings"] > 0 and result["readers_alone_per_s"] > 0


def test_the_benchmark_servers_health_ignores_the_messages_no_worker_sends(client, db, settings):
    # A kept benchmark database holds the confirmations of earlier runs' bookings, due for
    # hours: with the benchmarks' server environment /healthz (every run's baseline) stays 200.
    from bench.pages import SERVER_ENVIRONMENT

    from sotclinic.messaging.models import Message

    for name in ("HEALTH_QUEUE_LAG_SECONDS", "HEALTH_WORKER_SILENCE_SECONDS"):
        setattr(settings, name, int(SERVER_ENVIRONMENT[name]))
    Message.objects.create(
        to=["a@example.com"],
        subject="s",
        body="b",
        next_attempt_at=timezone.now() - dt.timedelta(hours=2),
    )

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
