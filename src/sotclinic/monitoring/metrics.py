"""`GET /metrics`: Prometheus metrics.

Served to a scraper that sends ``Authorization: Bearer $METRICS_TOKEN``, or, without a token,
only to a request made straight from this machine: loopback peer and no proxy header
(``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``), because behind a reverse proxy on the same
box every visitor's request arrives from loopback. Everyone else gets 403.

Series:
- request latency by view (``django_http_requests_latency_seconds_by_view_method``) and the
  other request counters of django-prometheus's middleware;
- database queries (``django_db_execute_total``, ``django_db_errors_total``), see queries.py;
- the outbox, read from the database at each scrape: ``sotclinic_outbox_lag_seconds``,
  ``sotclinic_messages_due``, ``sotclinic_messages_failed``, and
  ``sotclinic_worker_heartbeat_age_seconds`` (left out until a worker has ever run).

Under gunicorn each worker process counts on its own; `sotclinic serve` points
``PROMETHEUS_MULTIPROC_DIR`` at a directory they share, and a scrape adds them up.
"""

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from sotclinic.messaging.selectors import last_heartbeat, outbox_state

logger = logging.getLogger(__name__)

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


class OutboxCollector:
    """The outbox's state and the workers' last heartbeat at the time of the scrape.

    When the database cannot be read the outbox series are left out, not the whole scrape:
    that is when the request and error counts matter most (and /healthz says why).
    """

    def collect(self):
        try:
            state = outbox_state()
            seen = last_heartbeat()
        except DatabaseError:
            logger.warning("Metrics: the outbox could not be read", exc_info=True)
            return
        yield GaugeMetricFamily(
            "sotclinic_outbox_lag_seconds",
            "Seconds the longest-waiting due message has waited to be sent (0: none waiting).",
            value=state.lag_seconds,
        )
        yield GaugeMetricFamily(
            "sotclinic_messages_due", "Messages waiting to be sent now.", value=state.due
        )
        yield GaugeMetricFamily(
            "sotclinic_messages_failed",
            "Messages given up on after the last allowed attempt.",
            value=state.failed,
        )
        if seen is not None:
            yield GaugeMetricFamily(
                "sotclinic_worker_heartbeat_age_seconds",
                "Seconds since a background worker was last seen alive.",
                value=max((timezone.now() - seen).total_seconds(), 0.0),
            )


_outbox = CollectorRegistry(auto_describe=False)
_outbox.register(OutboxCollector())


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _process_metrics() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return prometheus_client.generate_latest(registry)
    return prometheus_client.generate_latest(prometheus_client.REGISTRY)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(
            "Metrics are served to this machine or with the metrics token.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    body = _process_metrics() + prometheus_client.generate_latest(_outbox)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
