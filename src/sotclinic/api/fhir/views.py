"""The FHIR R4 endpoints: ``metadata``, read (``/<type>/<id>``) and search (``/<type>?…``).

Every answer is FHIR JSON (``application/fhir+json``); refusals are OperationOutcomes with a
message a person can read: 400 for a search parameter that cannot be used, 401 without a valid
bearer token, 403 when the token's scopes do not cover the type, 404 for an unknown type or id.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from ninja import NinjaAPI

from sotclinic.fhir.search import KINDS, BadSearch, Search, parse

from .access import NotAllowed, NotAuthenticated, reader
from .scopes import RESOURCE_TYPES

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
SMART_SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

fhir_api = NinjaAPI(
    title="sotclinic FHIR R4",
    version="R4",
    urls_namespace="fhir",
    docs_url=None,
    openapi_url=None,
)


def _answer(resource, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        resource.model_dump_json(exclude_none=True), status=status, content_type=CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(status: int, code: str, message: str, **headers) -> HttpResponse:
    """An OperationOutcome with one error ``code`` (IssueType) and a readable message."""
    resource = OperationOutcome.model_validate(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}],
        }
    )
    return _answer(resource, status, **headers)


def _unauthenticated(error: NotAuthenticated) -> HttpResponse:
    return outcome(401, "login", error.message, WWW_Authenticate='Bearer realm="fhir"')


@fhir_api.get("/metadata", include_in_schema=False)
def metadata(request: HttpRequest):
    """The CapabilityStatement: what this server serves and how to get a token. Public."""
    return _answer(capability_statement(request))


# The Bulk Data Access IG's server capability and its export operations ($export, docs/fhir.md).
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"
SYSTEM_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
PATIENT_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"


def capability_statement(request: HttpRequest) -> CapabilityStatement:
    resources = []
    for resource_type in RESOURCE_TYPES:
        kind = KINDS[resource_type]
        params = [{"name": "_id", "type": "token"}]
        if kind.patient_param:
            params.append({"name": "patient", "type": "reference"})
        if kind.date_param:
            params.append({"name": kind.date_param, "type": "date"})
        if kind.statuses:
            params.append({"name": "status", "type": "token"})
        resource = {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": params,
        }
        if resource_type == "Patient":  # Patient/$export and Patient/<id>/$export
            resource["operation"] = [{"name": "export", "definition": PATIENT_EXPORT}]
        resources.append(resource)
    oauth = [
        {"url": "token", "valueUri": request.build_absolute_uri(reverse("oauth2_provider:token"))},
        {
            "url": "authorize",
            "valueUri": request.build_absolute_uri(reverse("oauth2_provider:authorize")),
        },
    ]
    return CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": dt.date.today().isoformat(),
            "publisher": "sotclinic",
            "kind": "instance",
            "software": {"name": "sotclinic"},
            "implementation": {
                "description": "sotclinic FHIR R4 API",
                "url": request.build_absolute_uri(reverse("fhir:metadata").rsplit("/", 1)[0]),
            },
            "instantiates": [BULK_DATA],
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "service": [
                            {"coding": [{"system": SMART_SECURITY, "code": "SMART-on-FHIR"}]}
                        ],
                        "description": "OAuth 2 bearer tokens: client credentials with "
                        "system/*.read scopes, authorization code (PKCE) with user/*.read.",
                        "extension": [{"url": OAUTH_URIS, "extension": oauth}],
                    },
                    "resource": resources,
                    "operation": [{"name": "export", "definition": SYSTEM_EXPORT}],
                }
            ],
        }
    )


def _authorised(request: HttpRequest, resource_type: str):
    if resource_type not in KINDS:
        return None, outcome(404, "not-supported", f"This server does not serve {resource_type}.")
    try:
        who = reader(request)
        who.check(resource_type)
    except NotAuthenticated as error:
        return None, _unauthenticated(error)
    except NotAllowed as error:
        return None, outcome(403, "forbidden", error.message)
    return who, None


@fhir_api.get("/{resource_type}", include_in_schema=False)
def search(request: HttpRequest, resource_type: str):
    """A searchset Bundle of one page of matches, with self, first, previous and next links."""
    who, refusal = _authorised(request, resource_type)
    if refusal:
        return refusal
    kind = KINDS[resource_type]
    try:
        params = parse(kind, request.GET)
    except BadSearch as error:
        return outcome(400, "invalid", str(error))
    hits = kind.find(params)
    page = hits[params.offset : params.offset + params.count]
    who.log(resource_type, [hit.patient_id for hit in page if hit.patient_id], "search")
    return _answer(_bundle(request, resource_type, params, page, len(hits)))


def _bundle(request, resource_type: str, params: Search, page, total: int) -> Bundle:
    base = request.build_absolute_uri(request.path)
    query = [(k, v) for k, v in request.GET.lists() if k not in ("_offset", "_count")]
    flat = [(k, v) for k, values in query for v in values]

    def link(relation: str, offset: int) -> dict:
        url = f"{base}?{urlencode([*flat, ('_count', params.count), ('_offset', offset)])}"
        return {"relation": relation, "url": url}

    links = [link("self", params.offset), link("first", 0)]
    if params.offset > 0:
        links.append(link("previous", max(0, params.offset - params.count)))
    if params.offset + params.count < total:
        links.append(link("next", params.offset + params.count))
    root = base.rsplit("/", 1)[0]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": total,
            "link": links,
            "entry": [
                {
                    "fullUrl": f"{root}/{resource_type}/{hit.resource.id}",
                    "resource": hit.resource,
                    "search": {"mode": "match"},
                }
                for hit in page
            ]
            or None,
        }
    )


@fhir_api.get("/{resource_type}/{resource_id}", include_in_schema=False)
def read(request: HttpRequest, resource_type: str, resource_id: str):
    """One resource by its id."""
    who, refusal = _authorised(request, resource_type)
    if refusal:
        return refusal
    hits = KINDS[resource_type].find(Search(ids={resource_id}))
    if not hits:
        who.log(resource_type, [], f"read {resource_id[:40]} (not found)")
        return outcome(404, "not-found", f"There is no {resource_type} with id {resource_id}.")
    hit = hits[0]
    who.log(resource_type, [hit.patient_id] if hit.patient_id else [], f"read {resource_id}")
    return _answer(hit.resource)
