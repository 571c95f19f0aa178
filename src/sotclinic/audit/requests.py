"""The access log as pages use it: who and from where come from the request."""

from django.http import HttpRequest

from sotclinic.client_address import client_ip

from .models import AccessLog, Action
from .services import record_access, record_aggregate_access


def log_access(request: HttpRequest, patient, action: Action, detail: str = "") -> AccessLog:
    """Record that the signed-in person behind ``request`` did ``action`` to ``patient``'s
    chart, from the client address the request came from (see ``record_access``)."""
    return record_access(request.user, patient, action, detail, address=client_ip(request))


def log_aggregate_access(request: HttpRequest, action: Action, detail: str) -> AccessLog:
    """Record that the signed-in person behind ``request`` viewed figures across patients
    (see ``record_aggregate_access``)."""
    return record_aggregate_access(request.user, action, detail, address=client_ip(request))
