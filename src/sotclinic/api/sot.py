"""POST /api/v1/sot/analyze: the SOT engine's suggestion for a set of findings.

The request body is handed to the engine as raw JSON, so the engine alone validates it and its
field paths (``indicators[1].side``) appear unchanged in the 422 answer. The pydantic schemas
below only document the contract in OpenAPI.

CSRF: the endpoint uses the Django session (``django_auth``), which django-ninja protects against
cross-site requests: a caller signed in with a session cookie sends the CSRF token in the
``X-CSRFToken`` header, as the clinic's own pages do (``base.html`` adds it to every htmx
request). The session cookie is an ambient credential, so the check applies to API clients too.
"""

import json
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import ConfigDict

from sotclinic.accounts.two_factor import must_enrol, needs_code
from sotclinic.exam.selectors import current_protocol_table
from sotclinic.nul_bytes import NUL_IN_JSON, contains_nul
from sotclinic.sot import CONFIDENCE_LEVELS, INDICATORS, LEG_CHECK_METHODS, FindingsError, analyze

router = Router(tags=["sot"])

IndicatorCode = Literal[tuple(INDICATORS)]  # type: ignore[valid-type]
SideName = Literal["left", "right", "bilateral"]
LateralName = Literal["left", "right"]
LegCheckMethodName = Literal[tuple(LEG_CHECK_METHODS)]  # type: ignore[valid-type]
ConfidenceName = Literal[tuple(CONFIDENCE_LEVELS)]  # type: ignore[valid-type]


class LegLengthIn(Schema):
    model_config = ConfigDict(extra="forbid")

    prone_short_side: Literal["left", "right", "none"] | None = Field(
        None, description="The short leg in the prone check; 'none' or null when equal."
    )
    difference_mm: float | None = Field(
        None, ge=0, le=1000, description="How much shorter, in millimetres (optional)."
    )


class LegCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    method: LegCheckMethodName = Field(
        description="How the legs were checked; only a prone check places the blocks."
    )
    short_side: Literal["left", "right", "none"] | None = Field(
        description="The short leg; 'none' or null when equal."
    )
    difference_mm: float | None = Field(
        None, ge=0, le=1000, description="How much shorter, in millimetres (optional)."
    )
    confidence: ConfidenceName = Field(description="How sure the examiner is of this check.")


class AnatomicalShortLegIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["measured", "suspected"] = Field(
        description="Whether the bone-length difference was measured or is only suspected."
    )
    side: LateralName = Field(description="The anatomically short side.")
    difference_mm: float | None = Field(
        None, gt=0, le=1000, description="The measured difference in millimetres (optional)."
    )


class IndicatorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: IndicatorCode = Field(description="Indicator code from the SOT indicator registry.")
    side: SideName = Field(description="Side the indicator is positive on.")


class FindingsIn(Schema):
    """The positive findings of an exam; an indicator not listed was negative or not tested."""

    model_config = ConfigDict(extra="forbid")

    leg_length: LegLengthIn | None = Field(
        None, description="Version-1 shape: one prone check. Send this or leg_checks, not both."
    )
    leg_checks: list[LegCheckIn] | None = Field(
        None, max_length=3, description="Each leg check with its method (at most one per method)."
    )
    anatomical_short_leg: AnatomicalShortLegIn | None = None
    indicators: list[IndicatorIn] = Field(max_length=100)


class ReasonOut(Schema):
    code: str
    category: Literal["I", "II", "III"]
    side: SideName | None
    method: LegCheckMethodName | None = Field(
        None, description="For a leg_length reason: the leg check it came from (version 2)."
    )
    detail: str | None = Field(None, description="For a note about the leg checks: its sentence.")


class BlockOut(Schema):
    side: LateralName
    landmark: str
    angle_degrees: int | float
    source: str


class ProtocolOut(Schema):
    position: Literal["prone", "supine"]
    blocks: list[BlockOut]
    recheck: list[str]


class AnalysisOut(Schema):
    """A suggestion of what SOT prescribes; the practitioner confirms or overrides it."""

    status: Literal["determined", "conflict", "indeterminate"]
    category: Literal["I", "II", "III"] | None
    side: LateralName | None
    reasons: list[ReasonOut]
    protocol: ProtocolOut | None
    engine_version: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class MessageOut(Schema):
    detail: str


def _inline_refs(schema: Any, definitions: dict[str, Any]) -> Any:
    """Replace pydantic's local ``$defs`` references so the schema stands alone in OpenAPI."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline_refs(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline_refs(item, definitions) for item in schema]
    return schema


def _request_body_schema() -> dict[str, Any]:
    schema = FindingsIn.model_json_schema()
    return {
        "required": True,
        "content": {"application/json": {"schema": _inline_refs(schema, schema.get("$defs", {}))}},
    }


def _unprocessable(errors: list[dict[str, str]]) -> JsonResponse:
    # Same body shape as the API's own 422 handler in api/main.py.
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JsonResponse({"detail": detail, "errors": errors}, status=422)


def _parse_json_body(request: HttpRequest) -> Any:
    """The body as JSON data; None for an empty body (the engine answers that it is required)."""
    if not request.body.strip():
        return None
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"must be valid JSON ({error.__class__.__name__})") from error
    if contains_nul(data):
        raise ValueError(NUL_IN_JSON)
    return data


@router.post(
    "/analyze",
    auth=django_auth,
    response={200: AnalysisOut, 401: MessageOut, 403: MessageOut, 422: ValidationErrorOut},
    summary="Suggest the SOT category, side and blocking protocol for a set of findings",
    # A reason's method and detail appear only when the engine set them, so a version-1 body gets
    # exactly the version-1 reasons.
    exclude_unset=True,
    openapi_extra={"requestBody": _request_body_schema()},
)
def analyze_findings(request: HttpRequest):
    """Answer with the engine's analysis, using the clinic's protocol table.

    Clinic staff only (session sign-in). Bad input gives 422 with the field at fault named as the
    engine names it, e.g. ``indicators[0].side``.
    """
    if not request.auth.is_clinic_staff:
        raise HttpError(403, "Only clinic staff may use the SOT analysis.")
    if needs_code(request.auth) or must_enrol(request.auth):
        raise HttpError(403, "Finish two-factor sign-in before using the SOT analysis.")
    try:
        raw = _parse_json_body(request)
    except ValueError as error:
        return _unprocessable([{"field": "body", "message": str(error)}])
    try:
        result = analyze(raw, current_protocol_table())
    except FindingsError as error:
        return _unprocessable(
            [{"field": path, "message": message} for path, message in error.errors]
        )
    return result.as_dict()
