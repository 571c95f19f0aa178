"""Where to go after a form: the ``next`` the page asked for, if it stays on this site."""

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's ``next`` (POST first, then GET) when it points into this site, else
    ``default`` (a URL or a URL name).

    Every view that redirects to a ``next`` it was given goes through here, so a link or form
    crafted elsewhere cannot send a signed-in person on to another site.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
