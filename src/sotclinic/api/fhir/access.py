"""Who is reading through the FHIR API: the OAuth token, what its scopes allow, the access log."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import get_oauthlib_core

from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access, record_aggregate_access
from sotclinic.client_address import client_ip

from .allowed_scopes import allowed_scopes, expand
from .scopes import may_read


class NotAuthenticated(Exception):
    """No bearer token, or one that is unknown, expired or revoked (401)."""

    message = "Send a valid OAuth 2 bearer token (Authorization: Bearer …)."


class NotAllowed(Exception):
    """The token is valid but its scopes (or its user's role) do not cover the read (403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Reader:
    """The client behind a request: the OAuth application, its scopes and its user, if any."""

    scopes: frozenset[str]
    user: object | None
    client: str
    address: str | None
    client_id: str = ""

    def check(self, resource_type: str) -> None:
        """NotAllowed unless this token may read ``resource_type``."""
        as_practitioner = None
        if self.user is not None:
            if not self.user.is_clinic_staff:
                raise NotAllowed("This token's account is not a member of the clinic's staff.")
            as_practitioner = self.user.is_practitioner
        if not may_read(set(self.scopes), resource_type, as_practitioner=as_practitioner):
            raise NotAllowed(
                f"This token's scopes do not allow reading {resource_type} "
                f"(e.g. system/{resource_type}.read)."
            )

    def log(self, resource_type: str, patient_ids, detail: str) -> None:
        """One access-log row per patient whose data was served, naming this client; one row
        without a patient when only the clinic's own records (or nothing) were served."""
        detail = f"FHIR {resource_type} {detail}"
        patient_ids = sorted(set(patient_ids))
        for patient_id in patient_ids:
            record_access(
                self.user, patient_id, Action.FHIR_READ, detail, self.address, self.client
            )
        if not patient_ids:
            record_aggregate_access(self.user, Action.FHIR_READ, detail, self.address, self.client)


def reader(request: HttpRequest) -> Reader:
    """The Reader of a request with a valid bearer token; NotAuthenticated otherwise."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        raise NotAuthenticated()
    token = oauth_request.access_token
    application = token.application
    return Reader(
        # Never more than the application is allowed now, should it have been narrowed since.
        scopes=expand(set(token.scope.split())) & allowed_scopes(application),
        user=token.user,
        client=f"{application.name} ({application.client_id})",
        address=client_ip(request),
        client_id=application.client_id,
    )
