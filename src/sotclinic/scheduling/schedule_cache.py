"""The schedule version and the short-lived cache entries keyed by it.

Every write that can change which slots are free bumps a counter in the cache once its
transaction commits (`signals.py`). A second counter, the rules version, moves with every such
write except to appointments: what it keys (the clinic's settings, opening hours) stays
cached while patients book. A listing or the clinic's booking rules cached under an
older version are never read again; `SLOT_CACHE_SECONDS` bounds their life in every case,
including a cache that is not shared between servers (no `REDIS_URL`).

Nothing is read from or written to these entries inside a transaction: a transaction may see
its own uncommitted writes, and the services that book, move or cancel must check the database
itself.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "scheduling:schedule-version"
RULES_VERSION_KEY = "scheduling:rules-version"

log = logging.getLogger(__name__)
T = TypeVar("T")


def cache_seconds() -> int:
    return settings.SLOT_CACHE_SECONDS


def caching_allowed() -> bool:
    """True outside transactions when the cache is switched on."""
    return cache_seconds() > 0 and not transaction.get_connection().in_atomic_block


def _version(key: str) -> int:
    version = cache.get(key)
    if version is None:
        # Start from the clock, so a version lost to eviction or a restart is never reused.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key, 0)
    return version


def schedule_version() -> int:
    """The current schedule version, starting one when the cache has none."""
    return _version(VERSION_KEY)


def rules_version() -> int:
    """The current rules version: like the schedule version, but left alone by appointments."""
    return _version(RULES_VERSION_KEY)


def _bump_key(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no version yet: any new one differs from every earlier one
        cache.add(key, time.time_ns(), timeout=None)


def _bump() -> None:
    _bump_key(VERSION_KEY)


def _bump_rules() -> None:
    _bump_key(VERSION_KEY)
    _bump_key(RULES_VERSION_KEY)


def bump_schedule_version(using: str | None = None, *, rules: bool = True) -> None:
    """Make every cached listing stale once the current transaction commits (at once when
    there is none); with ``rules`` (anything but an appointment changed) the cached settings
    and opening hours too. A failing cache is logged, never turned into an error after the
    commit."""
    transaction.on_commit(_bump_rules if rules else _bump, using=using, robust=True)


def versioned_key(name: str, version: int, *parts) -> str:
    return ":".join(["scheduling", name, str(version), *map(str, parts)])


def cached(compute: Callable[[], T], name: str, version: Callable[[], int], *parts) -> T:
    """``compute()``, kept for `cache_seconds` under ``name`` and ``parts`` at the current
    ``version`` (`schedule_version` or `rules_version`, read before computing, so a change
    committed meanwhile is never kept under the new version); computed afresh inside a
    transaction or with the cache off."""
    if not caching_allowed():
        return compute()
    key = versioned_key(name, version(), *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, cache_seconds())
    return value
