"""NUL bytes are refused in every input, before any code can store or log them.

No person types a NUL (U+0000); it arrives from a script or a probe. PostgreSQL cannot store
it in a text or JSON column, so a NUL that reached a write became a 500 (and the failing
value could reach the server log). Django's form fields refuse it, but several inputs are
read without a form: the exam screen's fields, the protocol table, JSON bodies of the API.
So the check sits where all of them are parsed: ``RefuseNulBytesMiddleware`` for query
strings and form posts, ``contains_nul`` in the SOT analysis's JSON parsing (the booking
API's schema refuses control characters field by field).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

NUL = "\x00"
MESSAGE = (
    "The request contained a character that cannot be stored (a NUL byte); nothing was saved. "
    "Remove it and try again."
)

NUL_IN_JSON = "must not contain NUL characters (\\u0000)"


def contains_nul(value: Any) -> bool:
    """Whether a string, or any key or string inside parsed JSON data, contains a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def _query_dict_has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in data.getlist(key)) for key in data)


class RefuseNulBytesMiddleware:
    """Answer 400, with nothing saved, for a query string or form field holding a NUL.

    The form is read only for views that Django's CSRF check reads it for as well; the
    CSRF-exempt views are the JSON API's, which read the raw body and refuse a NUL there
    (reading a multipart form here would use up the body they need).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(view_func, "csrf_exempt", False):
            return None
        if _query_dict_has_nul(request.GET) or (
            request.method == "POST" and _query_dict_has_nul(request.POST)
        ):
            return render(request, "400.html", {"plain_message": MESSAGE}, status=400)
        return None
