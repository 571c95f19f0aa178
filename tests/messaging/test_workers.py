"""Acceptance: real app servers and real background workers deliver every message exactly once
while the mail server goes down in the middle of a burst of bookings, moves and cancellations.

On PostgreSQL: two app servers and two workers on one fresh database (and, where a Redis
answers on this machine, a shared cache and the workers' queue in Redis); on SQLite: one of
each on one file, the queue in the database. The test talks to the servers over HTTP only
(the public booking API and the patient's manage-booking page) and to a local SMTP server
(aiosmtpd) that records every e-mail by the outbox row id each one carries. Retries are made
quick through the settings.
"""

import contextlib
import datetime as dt
import email
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from django.db import connection

from sotclinic.messaging.services import OUTBOX_HEADER
from tests.servers import free_port, serving

BOOKINGS = 24
DEADLINE_SECONDS = 180


class MailRecorder:
    """An aiosmtpd handler that keeps the outbox id of each e-mail it accepts."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.received.append(message[OUTBOX_HEADER])
        return "250 Message accepted"


class SmtpServer:
    """A local SMTP server on a fixed port that can be taken down and brought back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = MailRecorder()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        self.controller.stop()
        self.controller = None


class Outbox:
    """Reads the outbox table of the servers' database directly (not through Django: the test
    process's own connection points at the test suite's database)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def rows(self) -> list[tuple[int, str, int, str]]:
        return self._query("SELECT id, status, attempts, last_error FROM messaging_message")

    def periodic_work_done(self) -> bool:
        """Reminders and follow-ups (of the demo clinic's patients) have been queued once."""
        done = {func for (func,) in self._query("SELECT func FROM django_q_task WHERE success")}
        return {
            "sotclinic.scheduling.reminders.send_reminders",
            "sotclinic.outcomes.follow_ups.send_due_follow_ups",
        } <= done

    def _query(self, sql: str) -> list[tuple]:
        if self.database_url.startswith("sqlite"):
            path = self.database_url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path, timeout=20)) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()


def _run(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )


@contextlib.contextmanager
def _workers(count: int, env: dict, logs: Path):
    processes = []
    try:
        for n in range(count):
            log = (logs / f"worker-{n}.log").open("w")
            processes.append(
                (
                    subprocess.Popen(
                        [sys.executable, "-m", "sotclinic.cli", "worker"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        yield
    finally:
        for process, _ in processes:
            process.terminate()
        for process, log in processes:
            process.wait(timeout=60)
            log.close()


def _redis() -> dict:
    """With a Redis on this machine, the servers share a cache and the workers take their
    tasks from Redis (the set-up of several machines); the keys are this run's own."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        return {}
    return {
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "TASK_BROKER": "redis",
        "TASK_QUEUE_NAME": f"sotclinic-test-{os.getpid()}",
        "CACHE_KEY_PREFIX": f"sotclinic-test-{os.getpid()}",
    }


@contextlib.contextmanager
def _database(tmp_path: Path):
    """A fresh database of the kind the suite runs on: its URL, how many servers and workers
    share it, and the environment for Redis where it is used."""
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        user = settings["USER"] or "postgres"
        name = f"sotclinic_workers_{os.getpid()}"
        admin = f"postgres://{user}@{host}:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://{user}@{host}:{port}/{name}", 2, _redis()
        finally:
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'clinic.sqlite3'}", 1, {}


class Clinic:
    """The public side of the app servers: book, move and cancel as patients do."""

    def __init__(self, servers: list[str]) -> None:
        self.servers = servers
        self.kind = self.practitioner = None
        self.slots: list[str] = []

    def prepare(self) -> None:
        base = self.servers[0]
        kinds = requests.get(f"{base}/api/v1/appointment-types", timeout=30).json()
        self.kind = next(k["id"] for k in kinds if k.get("new_patients_may_book_online", True))
        people = requests.get(f"{base}/api/v1/practitioners", timeout=30).json()
        self.practitioner = next(p["id"] for p in people if self.kind in p["appointment_types"])
        start = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        found = requests.get(
            f"{base}/api/v1/slots",
            params={
                "appointment_type": self.kind,
                "practitioner": self.practitioner,
                "start": start,
                "days": 21,
            },
            timeout=30,
        ).json()
        # Slots overlap (a start every quarter of an hour); keep ones that do not.
        self.slots, free_from = [], ""
        for slot in found:
            if slot["start"] >= free_from:
                self.slots.append(slot["start"])
                free_from = slot["end"]
        assert len(self.slots) >= 2 * BOOKINGS, "the demo clinic has too few free slots"

    def book(self, n: int) -> str | None:
        """Book slot n for a new patient; the manage link, or None if the slot was taken."""
        response = requests.post(
            f"{self.servers[n % len(self.servers)]}/api/v1/bookings",
            json={
                "appointment_type": self.kind,
                "practitioner": self.practitioner,
                "start": self.slots[n],
                "first_name": "Pat",
                "last_name": f"Burst{n}",
                "email": f"patient{n}@example.com",
                "phone": "+49 30 1234567",
                "date_of_birth": "1980-05-17",
                "consent": True,
            },
            timeout=60,
        )
        assert response.status_code in {201, 409}, response.text
        return response.json()["manage_url"] if response.status_code == 201 else None

    def _post(self, manage_url: str, action: str, server: int, **data: str) -> None:
        # The link names the server that answered the booking; any server serves it.
        path = urllib.parse.urlsplit(manage_url).path
        base = self.servers[server % len(self.servers)]
        session = requests.Session()
        assert session.get(f"{base}{path}", timeout=60).status_code == 200
        response = session.post(
            f"{base}{path}{action}/",
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"], **data},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.text

    def move(self, manage_url: str, n: int) -> None:
        self._post(manage_url, "move", n + 1, start=self.slots[BOOKINGS + n])

    def cancel(self, manage_url: str, n: int) -> None:
        self._post(manage_url, "cancel", n + 1)


def _burst(clinic: Clinic, numbers: range) -> None:
    """Book each slot in `numbers`, then move every third booking and cancel every fourth,
    four requests at a time across the servers."""

    def one(n: int) -> None:
        link = clinic.book(n)
        if link and n % 3 == 0:
            clinic.move(link, n)
        if link and n % 4 == 0:
            clinic.cancel(link, n)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, numbers))


def _wait_for(condition, what: str, timeout: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


def test_every_message_is_delivered_exactly_once_across_a_mail_server_outage(tmp_path):
    smtp = SmtpServer()
    smtp.up()
    with _database(tmp_path) as (database_url, replicas, redis):
        env = {
            **os.environ,
            "SOTCLINIC_VAR_DIR": str(tmp_path),
            "DATABASE_URL": database_url,
            # Sending is left to the workers, as in production.
            "TASKS_SYNC": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "5",
            "MESSAGE_RETRY_SECONDS": "1",
            "MESSAGE_RETRY_MAX_SECONDS": "2",
            "MESSAGE_MAX_ATTEMPTS": "1000",
            "BOOKING_RATE_LIMIT": "10000",
            "WORKER_PROCESSES": "1",
            "TASK_POLL_SECONDS": "0.2",
            "WORKER_HEARTBEAT_SECONDS": "2",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            **redis,
        }
        _run(env, "manage", "migrate", "--verbosity", "0")
        _run(env, "demo")
        outbox = Outbox(database_url)
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(serving(tmp_path, tmp_path / f"server-{n}.log", **env))
                for n in range(replicas)
            ]
            stack.enter_context(_workers(replicas, env, tmp_path))
            clinic = Clinic(servers)
            clinic.prepare()

            third = BOOKINGS // 3
            _burst(clinic, range(0, third))
            smtp.down()
            _burst(clinic, range(third, 2 * third))
            # The outage is felt: some sends have failed and wait for a retry.
            _wait_for(lambda: any(row[3] for row in outbox.rows()), "a failed send")
            smtp.up()
            _burst(clinic, range(2 * third, BOOKINGS))

            _wait_for(
                lambda: (
                    outbox.periodic_work_done()
                    and all(row[1] == "sent" for row in outbox.rows())
                    and len(smtp.recorder.received) >= len(outbox.rows())
                ),
                "every message to be sent",
            )
            time.sleep(2)  # a duplicate would arrive now
            rows = outbox.rows()
    smtp.down()

    received = Counter(smtp.recorder.received)
    assert len(rows) >= BOOKINGS  # confirmations, moves and cancellations at least
    assert sorted(received) == sorted(str(row[0]) for row in rows)  # none lost, none extra
    assert set(received.values()) == {1}  # none twice
    assert any(row[2] > 1 for row in rows)  # some were sent only by a retry
