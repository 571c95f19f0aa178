"""Pauses after failed log-ins and wrong codes, counted in the shared cache (Redis when set).

Two counters are checked before a password or a code is tried:
- per client address and account: ``LOGIN_FAILURE_LIMIT`` failures per window;
- per client address alone: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures per window, whatever
  names were tried, so one address cannot try one password against many accounts.
The account is named the way Django's log-in finds it (Unicode NFKC, as
``AbstractBaseUser.normalize_username``), and case-folded, so look-alike spellings of one name
share one counter.
"""

import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from sotclinic.client_address import client_ip


def account_key(username: str) -> str:
    """The name under which failures for ``username`` are counted."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def _address(request: HttpRequest | None) -> str:
    return (client_ip(request) if request is not None else None) or "unknown"


def _keys(scope: str, request: HttpRequest | None, account: str) -> tuple[str, str]:
    address = _address(request)
    return f"{scope}-failures:{address}:{account}", f"auth-failures:{address}"


def is_paused(scope: str, request: HttpRequest | None, account: str) -> bool:
    """True when this address has failed too often, for this account or for all together."""
    per_account, per_address = _keys(scope, request, account)
    return (
        cache.get(per_account, 0) >= settings.LOGIN_FAILURE_LIMIT
        or cache.get(per_address, 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    )


def count_attempt(key: str, window: int) -> int:
    """Count one attempt under ``key`` in a window of ``window`` seconds from the first;
    the number counted so far in the window."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def count_failure(scope: str, request: HttpRequest | None, account: str) -> None:
    """Count one failed password or code against the account and the address."""
    for key in _keys(scope, request, account):
        count_attempt(key, settings.LOGIN_FAILURE_WINDOW_SECONDS)
