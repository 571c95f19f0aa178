"""Rate limit for public booking per client address, in the shared cache (Redis when set)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from sotclinic.client_address import client_ip


def booking_limit() -> tuple[int, int]:
    """(attempts, seconds): how many booking attempts one address may make per window."""
    return (
        settings.BOOKING_RATE_LIMIT,
        settings.BOOKING_RATE_WINDOW_SECONDS,
    )


def allow_booking_attempt(request: HttpRequest) -> bool:
    """Count one attempt from the request's address; False once the limit is reached."""
    limit, window = booking_limit()
    key = f"booking-attempts:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit
