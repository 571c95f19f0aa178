"""`sotclinic worker`: one background worker, a django-q2 cluster with its scheduler.

The worker sends the messages the app queues and runs the periodic work below; no cron line
is needed. Run one per machine (or several): they share the queue through the database (or
Redis with TASK_BROKER=redis), each message is claimed before it is sent, and the scheduler
locks each schedule row while it runs it, so nothing is sent or run twice.
"""

import logging
import os
import signal
import socket
import threading

from django.conf import settings
from django.db import connection, connections, transaction

from sotclinic.messaging.services import record_heartbeat

logger = logging.getLogger(__name__)

# (name, function, every so many minutes). The scheduler looks for due work every 30 seconds.
PERIODIC_TASKS = (
    # Retries whose backoff is over, and any message whose hand-over to the queue was lost.
    ("Send due messages", "sotclinic.messaging.services.send_due_messages", 1),
    ("Appointment reminders", "sotclinic.scheduling.reminders.send_reminders", 5),
    ("Follow-up questionnaires", "sotclinic.outcomes.follow_ups.send_due_follow_ups", 60),
    ("Delete expired exports", "sotclinic.fhir.services.delete_expired_exports", 60),
    ("Delete old sent messages", "sotclinic.messaging.services.delete_old_messages", 24 * 60),
    ("Delete old log-in links", "sotclinic.portal.login_links.delete_old_login_links", 24 * 60),
    # An import or check whose worker was stopped halfway: failed, so it can be checked again.
    ("Fail abandoned imports", "sotclinic.imports.uploads.fail_abandoned", 5),
    ("Delete old import uploads", "sotclinic.imports.uploads.purge_old_uploads", 24 * 60),
)
_LOCK_KEY = 0x50C_C11  # any constant: serialises the schedule set-up of workers starting at once


def ensure_schedules() -> None:
    """Create or update one schedule row per periodic task (and remove what is no longer one
    of them). Safe when several workers start at once."""
    from django_q.models import Schedule

    wanted = {name: (func, minutes) for name, func, minutes in PERIODIC_TASKS}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        # SQLite: the transaction is IMMEDIATE, so it holds the write lock already.
        seen = set()
        for schedule in Schedule.objects.order_by("pk"):
            if schedule.name not in wanted or schedule.name in seen:
                schedule.delete()
                continue
            seen.add(schedule.name)
            func, minutes = wanted[schedule.name]
            if (schedule.func, schedule.minutes, schedule.schedule_type) != (
                func,
                minutes,
                Schedule.MINUTES,
            ):
                schedule.func, schedule.minutes = func, minutes
                schedule.schedule_type, schedule.repeats = Schedule.MINUTES, -1
                schedule.save()
        for name, (func, minutes) in wanted.items():
            if name not in seen:
                Schedule.objects.create(
                    name=name,
                    func=func,
                    schedule_type=Schedule.MINUTES,
                    minutes=minutes,
                    repeats=-1,
                )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _beat(name: str, started: bool = False) -> None:
    try:
        record_heartbeat(name, started=started)
    except Exception:  # a database hiccup must not stop the worker; /healthz will notice
        logger.warning("Could not record the worker's heartbeat", exc_info=True)


def run() -> None:
    """Run one worker until SIGINT or SIGTERM, writing a heartbeat every
    WORKER_HEARTBEAT_SECONDS while its cluster is alive."""
    from django_q.cluster import Cluster

    ensure_schedules()
    name = worker_name()
    _beat(name, started=True)
    # The cluster's processes are forked: they must not share this process's connections.
    connections.close_all()
    # Cluster() installs its own handlers; the process's own come back when the worker stops.
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    cluster = Cluster()
    # The cluster's handlers would stop it from inside whatever this process is doing, perhaps
    # a heartbeat's transaction, holding a lock its processes wait for. A signal only asks; the
    # loop below stops the cluster between heartbeats.
    asked_to_stop = threading.Event()
    for signum in before:
        signal.signal(signum, lambda *_: asked_to_stop.set())
    try:
        cluster.start()
        while cluster.sentinel.is_alive() and not asked_to_stop.wait(
            settings.WORKER_HEARTBEAT_SECONDS
        ):
            _beat(name)
        connections.close_all()
        cluster.stop()
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
