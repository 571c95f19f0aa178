"""The JSON API under /api/v1/ (django-ninja). Each part of the practice adds its router here."""

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from sotclinic.errors import DomainError

from .errors import error_body


class BodyNotJSON(ValueError):
    """The request body could not be read as JSON."""


class JSONBodyParser(Parser):
    """django-ninja's JSON parser, raising one known error for a body that is not JSON."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
            raise BodyNotJSON(f"must be valid JSON ({error.__class__.__name__})") from error


api = NinjaAPI(
    title="sotclinic API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    parser=JSONBodyParser(),
)


def unprocessable(request: HttpRequest, errors: list[dict[str, str]]) -> HttpResponse:
    """The API's one 422 body: a readable ``detail`` and one entry per field at fault."""
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    """422 with one message a person can read per field, plus the structured details."""
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:1] == ["body"]:
            location = location[2:]  # ("body", <the view's parameter name>, field, ...)
        elif location[:1] == ["query"]:
            location = location[1:]
        message = error.get("msg", "invalid value").removeprefix("Value error, ")
        errors.append({"field": ".".join(location) or "body", "message": message})
    return unprocessable(request, errors)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    """A rule refused the request (slot taken, link expired...): its status and message."""
    return api.create_response(request, error_body(exc.field, exc.message), status=exc.status_code)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """django-ninja answers a body it cannot parse with a bare 400; this API says 422 and why."""
    if isinstance(exc.__cause__, BodyNotJSON):
        return unprocessable(request, [{"field": "body", "message": str(exc.__cause__)}])
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


logger = logging.getLogger(__name__)


@api.exception_handler(Exception)
def unexpected_error(request, exc: Exception):
    """Any other failure: a JSON 500 without internals (clients parse every answer as JSON);
    the traceback goes to the server log as Django would log it."""
    logger.error("Internal error in the API: %s", request.path, exc_info=exc)
    body = {
        "detail": (
            "Something went wrong on the server. Please try again; if it happens again, "
            "tell the clinic."
        )
    }
    return api.create_response(request, body, status=500)


# Routers register below, one line each:
api.add_router("/", "sotclinic.api.booking.router")  # noqa: E402
api.add_router("/sot", "sotclinic.api.sot.router")  # noqa: E402
