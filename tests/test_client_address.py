"""One client address for every rate limit and the access log, trusting only our own proxies."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog
from sotclinic.client_address import client_ip
from tests.factories import (
    PASSWORD,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _request(remote="198.51.100.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request(forwarded="203.0.113.5")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # The client may send its own header; the proxy appends what it saw, on the right.
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (1, "203.0.113.5:51234", "203.0.113.5"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_trusted_proxies_name_the_right_most_untrusted_entry(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(_request(remote=PROXY, forwarded=forwarded)) == expected


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "unknown", "\x00", "1.2.3.4, ,"])
def test_a_forwarded_value_that_is_not_an_address_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(remote=PROXY, forwarded=forwarded)) == PROXY


def test_a_header_shorter_than_the_proxy_chain_is_not_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(remote=PROXY, forwarded="203.0.113.5")) == PROXY


def test_no_address_at_all_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request(remote="")) is None


@pytest.mark.django_db
def test_behind_the_proxy_the_booking_limit_is_per_client_not_clinic_wide(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.BOOKING_RATE_LIMIT = 2
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    past = timezone.now() - dt.timedelta(days=3)
    bad = {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": past.isoformat(),
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": "1985-03-04",
        "consent": True,
    }

    def post(client_address):
        return client.post(
            "/api/v1/bookings",
            bad,
            "application/json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        ).status_code

    noisy = [post("203.0.113.9") for _ in range(3)]
    other = post("203.0.113.10")
    spoofed = post("192.0.2.1, 203.0.113.9")

    assert noisy == [422, 422, 429]
    assert other == 422
    assert spoofed == 429  # a client-written entry on the left does not buy new tries


@pytest.mark.django_db
def test_behind_the_proxy_failed_log_ins_of_one_client_do_not_lock_out_another(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(Role.PRACTITIONER, username="doc")
    for _ in range(3):
        client.post(
            "/accounts/login/",
            {"username": "doc", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    response = client.post(
        "/accounts/login/",
        {"username": "doc", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_access_log_records_the_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    practitioner = make_user(Role.PRACTITIONER)
    patient = make_patient()
    client.force_login(practitioner)

    response = client.get(
        f"/staff/patients/{patient.pk}/chart/",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5",
    )

    assert response.status_code == 200
    assert AccessLog.objects.get(patient=patient).ip_address == "203.0.113.5"


@pytest.mark.django_db
def test_a_forwarded_header_that_is_not_an_address_is_never_a_500(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.post(
        "/accounts/login/",
        {"username": "doc", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="<script>, , garbage",
    )

    assert response.status_code == 200


def test_a_real_server_behind_a_proxy_limits_each_client_on_its_own(tmp_path):
    import json
    import os
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    from tests.servers import serving

    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "TRUSTED_PROXY_COUNT": "1",
        "BOOKING_RATE_LIMIT": "2",
    }
    subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", "manage", "migrate", "--noinput", "-v", "0"],
        env={**os.environ, "SOTCLINIC_VAR_DIR": str(tmp_path), **env},
        check=True,
    )
    body = json.dumps(
        {
            "appointment_type": 999,
            "practitioner": None,
            "start": "2020-01-01T10:00:00+00:00",
            "first_name": "Olivia",
            "last_name": "Smith",
            "email": "olivia@example.com",
            "phone": "+44 117 496 0001",
            "date_of_birth": "1985-03-04",
            "consent": True,
        }
    ).encode()

    def post(base, forwarded):
        request = urllib.request.Request(
            f"{base}/api/v1/bookings",
            data=body,
            headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded},
        )
        try:
            return urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code

    with serving(tmp_path, **env) as base:
        noisy = [post(base, "203.0.113.9") for _ in range(3)]
        other = post(base, "203.0.113.10")
        garbage = post(base, "not-an-address")

    assert noisy[2] == 429 and 429 not in noisy[:2]
    assert other not in (429, 500)
    assert garbage not in (429, 500)
