"""`GET /healthz`: can this app server answer pages — database reachable, schema migrated,
cache working — and is background work done: no message waiting longer than
HEALTH_QUEUE_LAG_SECONDS ("queue"), a worker seen within HEALTH_WORKER_SILENCE_SECONDS
("worker"; left out when that is 0).

The answer names which check failed ("database", "migrations", "cache", "queue", "worker") and
nothing more: anyone may call it, so the reason goes to the server log only.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sotclinic.messaging.selectors import last_heartbeat, outbox_state

logger = logging.getLogger(__name__)

# Once a process has seen every migration applied it stays so: the code cannot change under a
# running process, so the migration graph (slow to build) is read only until then.
_migrated = False


def _database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _migrations() -> None:
    global _migrated
    if _migrated:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    _migrated = True


def _cache() -> None:
    key, token = "healthz-probe", secrets.token_hex(8)
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return the value just stored")


def _queue() -> None:
    limit = settings.HEALTH_QUEUE_LAG_SECONDS
    lag = outbox_state().lag_seconds
    if limit and lag > limit:
        raise RuntimeError(f"the oldest due message has waited {lag:.0f} s (limit {limit} s)")


def _worker() -> None:
    limit = settings.HEALTH_WORKER_SILENCE_SECONDS
    seen = last_heartbeat()
    if seen is None:
        raise RuntimeError("no background worker has ever run (sotclinic worker)")
    silence = (timezone.now() - seen).total_seconds()
    if silence > limit:
        raise RuntimeError(f"no background worker seen for {silence:.0f} s (limit {limit} s)")


# In order: without a database the migrations cannot be read, nor the queue.
CHECKS = (
    ("database", _database),
    ("migrations", _migrations),
    ("cache", _cache),
    ("queue", _queue),
    ("worker", _worker),
)
# What each check needs to have passed before it can say anything.
NEEDS = {"migrations": ("database",), "queue": ("migrations",), "worker": ("migrations",)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok", or 503 with "error" for each check that failed ("unknown"
    for the checks that read the database while it is unreachable)."""
    body: dict[str, str] = {}
    for name, check in CHECKS:
        if name == "worker" and not settings.HEALTH_WORKER_SILENCE_SECONDS:
            continue
        if any(body.get(needed) != "ok" for needed in NEEDS.get(name, ())):
            body[name] = "unknown"
            continue
        try:
            check()
        except Exception:  # any failure is a reason to report, not to crash
            logger.exception("Health check %r failed", name)
            body[name] = "error"
        else:
            body[name] = "ok"
    healthy = all(value == "ok" for value in body.values())
    # The check that failed is named; what failed inside it is logged above, never shown.
    return JsonResponse(
        {"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503
    )
