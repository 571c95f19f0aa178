"""Writing to the access log. Other apps call ``record_access`` for their own chart pages."""

from .models import AccessLog, Action


def record_access(
    user,
    patient,
    action: Action,
    detail: str = "",
    address: str | None = None,
    client: str = "",
) -> AccessLog:
    """Append one row to the access log: who did ``action`` to ``patient``'s chart, and from where.

    ``action`` is a member of ``Action``; a plain string is refused (TypeError), so every name
    the log holds is declared, with its label, in one place.
    ``user`` is who did it (None or an anonymous user for a patient without an account).
    ``patient`` is a Patient or its primary key. ``detail`` names what was touched (e.g.
    "visit 12"); keep clinical content out of it. ``address`` is the client's IP address, when
    known. ``client`` names the OAuth application the access came through (the FHIR API).
    Pages call ``audit.requests.log_access``, which takes both from the request.
    """
    patient_id = patient if isinstance(patient, int) else patient.pk
    return _append(user, patient_id, action, detail, address, client)


def record_aggregate_access(
    user, action: Action, detail: str, address: str | None = None, client: str = ""
) -> AccessLog:
    """Append one row to the access log for a view of figures across patients (a dashboard, an
    export of totals): one row naming what was viewed and with which filters in ``detail``,
    not one row per patient counted. A view that lists patients calls ``record_access`` for
    each patient it shows."""
    return _append(user, None, action, detail, address, client)


def _append(
    user, patient_id: int | None, action: Action, detail: str, address, client: str = ""
) -> AccessLog:
    if not isinstance(action, Action):
        raise TypeError(f"The access log takes an audit Action member, not {action!r}.")
    if user is not None and not user.is_authenticated:
        user = None
    return AccessLog.objects.create(
        user=user,
        username=user.get_username() if user else "",
        patient_id=patient_id,
        action=action,
        detail=detail[:200],
        ip_address=address,
        client=client[:200],
    )
