"""Failed log-ins pause per account name as Django reads it, and per address over all names."""

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotclinic.accounts.models import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _log_in(client, username, password="wrong", address="203.0.113.9"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize(
    "look_alike",
    ["ｆｒｏｎｔｄｅｓｋ", "ｆrontdesk", "FRONTDESK", "FrontDesk "],
)
def test_look_alike_spellings_of_a_name_share_its_failure_count(client, settings, look_alike):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(Role.FRONT_DESK, username="frontdesk")
    for _ in range(2):
        _log_in(client, "frontdesk")
    _log_in(client, look_alike)

    response = _log_in(client, "frontdesk", PASSWORD)

    assert "Too many failed log-ins" in response.text
    assert "_auth_user_id" not in client.session


def test_full_width_name_is_paused_after_the_plain_name_failed(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(Role.FRONT_DESK, username="frontdesk")
    for _ in range(3):
        _log_in(client, "frontdesk")

    # Django logs "ｆｒｏｎｔｄｅｓｋ" in as "frontdesk" (NFKC), so it must not get fresh tries.
    response = _log_in(client, "ｆｒｏｎｔｄｅｓｋ", PASSWORD)

    assert "Too many failed log-ins" in response.text
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_names_is_paused(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    make_user(Role.PRACTITIONER, username="doc")
    for n in range(5):
        _log_in(client, f"user{n}")

    paused = _log_in(client, "doc", PASSWORD)
    elsewhere = _log_in(client, "doc", PASSWORD, address="198.51.100.20")

    assert "Too many failed log-ins" in paused.text
    assert elsewhere.status_code == 302


def test_wrong_codes_count_towards_the_address_limit_of_failed_log_ins(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    user = make_user(Role.PRACTITIONER, username="doc")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    make_user(Role.PRACTITIONER, username="ben")
    _log_in(client, "doc", PASSWORD)
    for _ in range(4):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        client.post("/accounts/two-factor/code/", {"code": "000000"}, REMOTE_ADDR="203.0.113.9")

    response = _log_in(client, "ben", PASSWORD)

    assert "Too many failed log-ins" in response.text
