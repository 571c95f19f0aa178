"""What an OAuth token may read, in SMART on FHIR's scope syntax (``system/Patient.read``).

- ``system/…`` scopes are for server-to-server clients (the client-credentials grant): the
  client reads as itself, with no person behind it.
- ``user/…`` scopes are for a staff app (the authorization-code grant): the app reads for the
  person who signed in and granted it, and never more than that person's role may see.

Pure Python (the settings import this module for the list of scopes).
"""

from __future__ import annotations

# Every resource type served, in the order the CapabilityStatement lists them.
RESOURCE_TYPES = (
    "Patient",
    "Practitioner",
    "Location",
    "Appointment",
    "Encounter",
    "Condition",
    "Observation",
    "Questionnaire",
    "QuestionnaireResponse",
)
# The clinic's own records: who works where, and the questionnaires it ships. No patient data.
CLINIC_TYPES = frozenset({"Practitioner", "Location", "Questionnaire"})
# Clinical records: for a staff app, only a practitioner's token reads them (as on the pages).
CLINICAL_TYPES = frozenset({"Encounter", "Condition", "Observation", "QuestionnaireResponse"})

SYSTEM = "system"
USER = "user"


def _descriptions() -> dict[str, str]:
    scopes = {
        "system/*.read": "Read every resource (server-to-server)",
        "user/*.read": "Read every resource the signed-in staff member may see",
    }
    for resource_type in RESOURCE_TYPES:
        scopes[f"system/{resource_type}.read"] = f"Read {resource_type} (server-to-server)"
        scopes[f"user/{resource_type}.read"] = f"Read {resource_type} as the signed-in staff member"
    return scopes


SCOPE_DESCRIPTIONS = _descriptions()


def granting_scopes(resource_type: str, context: str) -> frozenset[str]:
    """The scopes of ``context`` (``system`` or ``user``) that allow reading ``resource_type``."""
    return frozenset({f"{context}/*.read", f"{context}/{resource_type}.read"})


def may_read(scopes: set[str], resource_type: str, *, as_practitioner: bool | None) -> bool:
    """Whether a token with ``scopes`` may read ``resource_type``.

    ``as_practitioner`` is None for a token with no person behind it (client credentials), else
    whether that person is a practitioner: a ``user/…`` scope reads clinical records only for a
    practitioner, and only a staff member's token (True or False, never None) uses ``user/…``.
    """
    if as_practitioner is None:
        return bool(scopes & granting_scopes(resource_type, SYSTEM))
    if resource_type in CLINICAL_TYPES and not as_practitioner:
        return False
    return bool(scopes & granting_scopes(resource_type, USER))
