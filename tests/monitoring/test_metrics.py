import datetime as dt
import urllib.request

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sotclinic.messaging.models import Message, WorkerHeartbeat
from tests.servers import serving


def _series(text: str) -> dict[str, list]:
    """Samples by series name, e.g. {"sotclinic_messages_failed": [Sample(...)]}."""
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def _message(status: str, due: dt.datetime) -> Message:
    return Message.objects.create(
        to=["someone@example.com"], subject="s", body="b", status=status, next_attempt_at=due
    )


@pytest.mark.django_db
def test_metrics_serve_request_latency_by_view_query_counts_and_the_outbox(client):
    now = timezone.now()
    _message(Message.Status.PENDING, now - dt.timedelta(minutes=10))
    _message(Message.Status.PENDING, now - dt.timedelta(minutes=2))
    _message(Message.Status.PENDING, now + dt.timedelta(minutes=5))  # a retry, not yet due
    _message(Message.Status.FAILED, now - dt.timedelta(days=1))
    _message(Message.Status.SENT, now - dt.timedelta(days=1))
    assert client.get("/healthz").status_code == 200

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    series = _series(response.content.decode())
    healthz_latency = [
        s
        for s in series["django_http_requests_latency_seconds_by_view_method_count"]
        if s.labels == {"view": "healthz", "method": "GET"}
    ]
    assert healthz_latency and healthz_latency[0].value >= 1
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in series
    queries = series["django_db_execute_total"]
    assert any(s.labels["alias"] == "default" and s.value > 0 for s in queries)
    assert 600 <= series["sotclinic_outbox_lag_seconds"][0].value < 700
    assert series["sotclinic_messages_due"][0].value == 2
    assert series["sotclinic_messages_failed"][0].value == 1


@pytest.mark.django_db
def test_metrics_count_the_queries_of_a_request(client):
    def executed() -> float:
        series = _series(client.get("/metrics").content.decode())
        return sum(s.value for s in series["django_db_execute_total"])

    before = executed()
    client.get("/healthz")  # at least SELECT 1 for the database check
    after = executed()

    # Both scrapes read the outbox (2 queries each); the health check adds its own.
    assert after - before >= 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        # A reverse proxy on the same box: loopback peer, but a visitor behind it.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer wrong"},
    ],
    ids=["other-address", "through-proxy", "through-proxy-real-ip", "wrong-token"],
)
def test_metrics_are_refused_to_anyone_else(client, settings, meta):
    settings.METRICS_TOKEN = "the-scraper-token-0123456789"

    response = client.get("/metrics", **meta)

    assert response.status_code == 403
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_metrics_are_served_anywhere_with_the_token(client, settings):
    settings.METRICS_TOKEN = "the-scraper-token-0123456789"

    response = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer the-scraper-token-0123456789",
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_without_a_token_set_no_bearer_value_opens_the_metrics(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403


def test_gunicorn_workers_add_up_their_counts_and_an_unreadable_outbox_leaves_the_rest(tmp_path):
    # An empty database file: nothing migrated, so the outbox cannot be read.
    with serving(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", WEB_CONCURRENCY="2"
    ) as base:
        for _ in range(6):
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=30).read()
        text = urllib.request.urlopen(f"{base}/metrics", timeout=30).read().decode()

    series = _series(text)
    login = [
        s
        for s in series["django_http_requests_latency_seconds_by_view_method_count"]
        if s.labels == {"view": "accounts:login", "method": "GET"}
    ]
    assert login[0].value == 6
    assert "sotclinic_messages_failed" not in series


@pytest.mark.django_db
def test_metrics_tell_how_long_ago_a_worker_was_seen_once_one_has_run(client):
    assert "sotclinic_worker_heartbeat_age_seconds" not in _series(
        client.get("/metrics").content.decode()
    )
    WorkerHeartbeat.objects.create(
        worker="host:1", seen_at=timezone.now() - dt.timedelta(seconds=90)
    )

    series = _series(client.get("/metrics").content.decode())

    assert 90 <= series["sotclinic_worker_heartbeat_age_seconds"][0].value < 150
