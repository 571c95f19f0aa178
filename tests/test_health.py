import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from sotclinic.messaging.models import Message, WorkerHeartbeat
from sotclinic.messaging.services import record_heartbeat
from tests.servers import serving

HEALTHY = {"status": "ok", "database": "ok", "migrations": "ok", "cache": "ok", "queue": "ok"}


def test_healthz_reports_ok_with_a_working_database_schema_and_cache(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == HEALTHY


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers["Content-Type"]


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A migrated SQLite database file to copy for each server."""
    folder = tmp_path_factory.mktemp("migrated")
    path = folder / "sotclinic.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", "manage", "migrate", "--noinput", "-v", "0"],
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{path}",
            "SOTCLINIC_VAR_DIR": str(folder),
        },
        check=True,
    )
    return path


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-directory/for/sotclinic.sqlite3",
        "postgres://postgres@127.0.0.1:1/unreachable",
    ],
    ids=["sqlite-unopenable", "postgres-nothing-listening"],
)
def test_healthz_answers_503_naming_the_database_without_its_error(tmp_path, database_url):
    with serving(tmp_path, DATABASE_URL=database_url) as base:
        status, body, _ = _get(f"{base}/healthz")

    assert status == 503
    assert body == {
        "status": "error",
        "database": "error",
        "migrations": "unknown",
        "cache": "ok",
        "queue": "unknown",
    }


def test_healthz_answers_503_for_a_database_that_is_not_migrated(tmp_path):
    with serving(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3") as base:
        status, body, _ = _get(f"{base}/healthz")

    assert status == 503
    assert body == {
        "status": "error",
        "database": "ok",
        "migrations": "error",
        "cache": "ok",
        "queue": "unknown",
    }


def test_healthz_answers_503_while_the_configured_cache_is_down(tmp_path, migrated_sqlite):
    database = tmp_path / "sotclinic.sqlite3"
    shutil.copy(migrated_sqlite, database)

    with serving(
        tmp_path, DATABASE_URL=f"sqlite:///{database}", REDIS_URL="redis://127.0.0.1:1/5"
    ) as base:
        status, body, _ = _get(f"{base}/healthz")

    assert status == 503
    assert body == {
        "status": "error",
        "database": "ok",
        "migrations": "ok",
        "cache": "error",
        "queue": "ok",
    }


def test_healthz_answers_200_with_a_migrated_database_and_working_cache(tmp_path, migrated_sqlite):
    database = tmp_path / "sotclinic.sqlite3"
    shutil.copy(migrated_sqlite, database)

    with serving(tmp_path, DATABASE_URL=f"sqlite:///{database}") as base:
        status, body, _ = _get(f"{base}/healthz")

    assert (status, body) == (200, HEALTHY)


def _due_message(waiting: dt.timedelta) -> Message:
    return Message.objects.create(
        to=["a@example.com"], subject="s", body="b", next_attempt_at=timezone.now() - waiting
    )


def test_healthz_answers_503_when_a_message_has_waited_past_the_lag_limit(client, db, settings):
    settings.HEALTH_QUEUE_LAG_SECONDS = 600
    _due_message(dt.timedelta(minutes=5))
    assert client.get("/healthz").status_code == 200

    _due_message(dt.timedelta(minutes=11))
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {**HEALTHY, "status": "error", "queue": "error"}


def test_healthz_checks_the_worker_heartbeat_when_asked_to(client, db, settings):
    settings.HEALTH_WORKER_SILENCE_SECONDS = 120
    assert client.get("/healthz").json()["worker"] == "error"  # no worker ever ran

    record_heartbeat("host-a:1", started=True)
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {**HEALTHY, "worker": "ok"})

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=3))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "error"
