"""Error pages that need more than a static template."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .query_params import BadParameter


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: say which parameter is wrong and how to give it; other refusals stay generic,
    since their text may come from Django or a library and speak of internals."""
    message = exception.message if isinstance(exception, BadParameter) else None
    name = exception.name if isinstance(exception, BadParameter) else None
    return render(request, "400.html", {"message": message, "name": name}, status=400)
