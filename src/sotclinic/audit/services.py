"""Writing to the access log. Other apps call ``record_access`` for their own chart pages."""

from django.http import HttpRequest

from sotclinic.client_address import client_ip

from .models import AccessLog, Action

# The audit's name for the one client-address function, kept for the chart views that pass
# the address to services on their own.
client_address = client_ip


def record_access(
    request_or_user, patient, action: Action, detail: str = "", address: str | None = None
) -> AccessLog:
    """Append one row to the access log: who did ``action`` to ``patient``'s chart, and from where.

    ``action`` is a member of ``Action``; a plain string is refused (TypeError), so every name
    the log holds is declared, with its label, in one place.
    ``request_or_user`` is the current request (preferred: it gives the address) or a user.
    ``patient`` is a Patient or its primary key. ``detail`` names what was touched (e.g.
    "visit 12"); keep clinical content out of it. ``address`` is for callers that pass a user
    but know the address.
    """
    if not isinstance(action, Action):
        raise TypeError(f"record_access takes an audit Action member, not {action!r}.")
    if isinstance(request_or_user, HttpRequest):
        user = request_or_user.user
        address = client_address(request_or_user)
    else:
        user = request_or_user
    if user is not None and not user.is_authenticated:
        user = None
    patient_id = patient if isinstance(patient, int) else patient.pk
    return AccessLog.objects.create(
        user=user,
        username=user.get_username() if user else "",
        patient_id=patient_id,
        action=action,
        detail=detail[:200],
        ip_address=address,
    )
