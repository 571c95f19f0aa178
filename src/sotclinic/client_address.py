"""The address of the person making a request, the one key every rate limit and the audit use.

Behind a reverse proxy, ``REMOTE_ADDR`` is the proxy's address, the same for everyone. Each
proxy appends the address it received the request from to ``X-Forwarded-For``, so with N
trusted proxies in front of the app the N-th entry from the right is the client as the outermost
trusted proxy saw it. Entries further left came from the client itself and can say anything.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _as_ip(value: str) -> str | None:
    """The value as a normalised IP address, or None when it is not one."""
    value = value.strip()
    # "[2001:db8::1]:443" or "192.0.2.1:443": some proxies add a port.
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, trusting ``X-Forwarded-For`` only as far as the proxies we run.

    ``settings.TRUSTED_PROXY_COUNT`` proxies are trusted (0: the header is ignored). With N, the
    N-th entry from the right of ``X-Forwarded-For`` is the client. When the header is missing,
    shorter than N, or that entry is not an IP address, the request did not come through our
    proxies as configured, and ``REMOTE_ADDR`` is the best we know. Returns None when no
    address at all is known; never raises for anything the client sent.
    """
    remote = _as_ip(request.META.get("REMOTE_ADDR") or "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    # Empty entries are kept: skipping them would shift the count into client-written ones.
    entries = header.split(",") if header.strip() else []
    if len(entries) < trusted:
        return remote
    return _as_ip(entries[-trusted]) or remote
