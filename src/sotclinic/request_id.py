"""A request id for every request: in each log line written while it is handled, in the
``X-Request-ID`` response header and in gunicorn's access log line for it.

A proxy in front may send its own id (Caddy: ``header_up X-Request-ID {http.request.uuid}``);
it is kept when it looks like one (a UUID or hex digits), so the proxy's log and ours agree.
Anything else a client sends there is replaced: an id is never a place for free text.
"""

import re
import uuid
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_current: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTED = re.compile(r"[0-9A-Fa-f-]{16,64}")


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, or None outside a request."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response
