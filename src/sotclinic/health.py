"""`GET /healthz`: can this app server answer pages — database reachable, schema migrated,
cache working.

The answer names which check failed ("database", "migrations", "cache") and nothing more:
anyone may call it, so the reason (host names, driver messages) goes to the server log only.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


# In order: without a database the migrations cannot be read.
CHECKS = (("database", _database), ("migrations", _migrations), ("cache", _cache))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok", or 503 with "error" for each check that failed ("unknown"
    for the migrations while the database is unreachable)."""
    body: dict[str, str] = {}
    for name, check in CHECKS:
        if name == "migrations" and body.get("database") == "error":
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
