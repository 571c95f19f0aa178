"""Per-application scope limits, plugged into django-oauth-toolkit as its scopes backend
(``OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]``).

The toolkit asks the backend for the scopes an application may have and refuses a token or
authorization request that asks for any other (``invalid_scope``, RFC 6749 §3.3 and §4.1.2.1),
so an integrator never gets more than the clinic allowed it. The FHIR API also reads a token's
scopes through :func:`allowed_scopes`, so narrowing an application applies to tokens it holds
already.
"""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes

from sotclinic.api.models import ApplicationScopes

from .scopes import RESOURCE_TYPES, SCOPE_DESCRIPTIONS


def expand(scopes: set[str]) -> frozenset[str]:
    """``scopes`` with each ``<context>/*.read`` widened to every ``<context>/<Type>.read``;
    names that are not known scopes are dropped."""
    expanded = set(scopes)
    for scope in scopes:
        context, _, rest = scope.partition("/")
        if rest == "*.read":
            expanded |= {f"{context}/{resource_type}.read" for resource_type in RESOURCE_TYPES}
    return frozenset(expanded & set(SCOPE_DESCRIPTIONS))


def allowed_scopes(application) -> frozenset[str]:
    """Every scope ``application`` may hold (none without an ApplicationScopes row)."""
    try:
        row = application.fhir_scopes
    except ApplicationScopes.DoesNotExist:
        return frozenset()
    return expand(set(row.scopes.split()))


class ApplicationScopesBackend(SettingsScopes):
    """The toolkit's settings backend, narrowed to what each application is allowed."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:  # the server's metadata: every scope it knows
            return super().get_available_scopes(application, request, *args, **kwargs)
        return sorted(allowed_scopes(application))
