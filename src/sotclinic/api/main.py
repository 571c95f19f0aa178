"""The JSON API under /api/v1/ (django-ninja). Each part of the practice adds its router here."""

from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

api = NinjaAPI(
    title="sotclinic API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    """422 with one message a person can read per field, plus the structured details."""
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(location) or "body"
        errors.append({"field": field, "message": error.get("msg", "invalid value")})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


# Routers register below, one line each:
api.add_router("/", "sotclinic.api.booking.router")  # noqa: E402
api.add_router("/sot", "sotclinic.api.sot.router")  # noqa: E402
