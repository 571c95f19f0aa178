import base64
import re

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotclinic.accounts.models import Role
from sotclinic.accounts.two_factor import qr_code_svg
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_failure_counters():
    cache.clear()
    yield
    cache.clear()


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or steps_ahead periods later)."""
    device.refresh_from_db()
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, device.step, t0, device.digits, device.drift):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed app device with recovery codes, as the enrolment page leaves it."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = ["aaaa2222", "bbbb3333"]
    for token in codes:
        recovery.token_set.create(token=token)
    return device, codes


def password_step(client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def test_enrolment_page_shows_qr_code_and_secret(login):
    client = login(make_user(Role.PRACTITIONER))

    response = client.get("/accounts/two-factor/")

    device = TOTPDevice.objects.get(confirmed=False)
    shown = re.search(r'id="secret-key">([A-Z2-7 ]+)<', response.text).group(1).replace(" ", "")
    assert response.status_code == 200
    assert "<svg" in response.text
    assert "otpauth://totp/sotclinic%3A" in response.text
    assert base64.b32decode(shown) == device.bin_key
    assert qr_code_svg(device.config_url) in response.text
    assert shown in client.get("/accounts/two-factor/").text.replace(" ", "")  # same on reload


def test_enrolment_refuses_a_wrong_code_and_leaves_the_device_unconfirmed(login):
    client = login(make_user(Role.PRACTITIONER))
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get()
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/two-factor/", {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.exists()


def test_enrolment_with_the_right_code_confirms_and_shows_recovery_codes_once(login):
    user = make_user(Role.PRACTITIONER)
    client = login(user)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get()

    response = client.post("/accounts/two-factor/", {"code": code(device)})

    device.refresh_from_db()
    assert device.confirmed
    tokens = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 8
    assert all(token in response.text for token in tokens)
    assert "shown only this once" in response.text
    again = client.get("/accounts/two-factor/")
    assert "Two-factor sign-in is on" in again.text
    assert not any(token in again.text for token in tokens)
    assert client.get("/staff/").status_code == 200  # this session is already verified


def test_patients_cannot_enrol(login):
    client = login(make_user(Role.PATIENT))

    assert client.get("/accounts/two-factor/").status_code == 403


def test_sign_in_with_a_device_asks_for_a_code_before_logging_in(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    enrolled(user)

    response = password_step(client, "doc", next_url="/staff/calendar/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/code/?next=%2Fstaff%2Fcalendar%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/").status_code == 302


def test_staff_page_sends_an_unverified_session_to_the_code_step(login):
    user = make_user(Role.FRONT_DESK)
    enrolled(user)
    client = login(user)  # a password-only session, e.g. started before the device was added

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/code/?next=%2Fstaff%2F"


def test_right_code_completes_sign_in_and_opens_staff_pages(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")

    response = client.post("/accounts/two-factor/code/", {"code": code(device), "next": "/staff/"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_wrong_code_says_so_and_does_not_log_in(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/two-factor/code/", {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert "_auth_user_id" not in client.session


def test_right_code_straight_after_a_wrong_one_waits_for_the_device_throttle(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")
    client.post("/accounts/two-factor/code/", {"code": "000000"})
    client.post("/accounts/two-factor/code/", {"code": "111111"})

    response = client.post("/accounts/two-factor/code/", {"code": code(device)})

    assert "Too many wrong codes in a row" in response.text
    assert "_auth_user_id" not in client.session


def test_many_wrong_codes_are_paused_like_failed_passwords(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")
    for _ in range(3):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        client.post("/accounts/two-factor/code/", {"code": "000000"})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    response = client.post("/accounts/two-factor/code/", {"code": code(device)})

    assert "Too many wrong codes. Wait a few minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_recovery_code_signs_in_once(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    _, codes = enrolled(user)
    password_step(client, "doc")

    first = client.post("/accounts/two-factor/code/", {"code": codes[0].upper()})
    client.post("/accounts/logout/")
    password_step(client, "doc")
    second = client.post("/accounts/two-factor/code/", {"code": codes[0]})

    assert first.status_code == 302
    assert "That code is not right" in second.text
    assert "_auth_user_id" not in client.session
    assert list(StaticToken.objects.values_list("token", flat=True)) == [codes[1]]


def test_remove_device_needs_a_current_code(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")
    client.post("/accounts/two-factor/code/", {"code": code(device)})

    refused = client.post("/accounts/two-factor/remove/", {"code": "12345"})
    removed = client.post("/accounts/two-factor/remove/", {"code": code(device, steps_ahead=1)})

    assert refused.status_code == 400 and "That code is not right" in refused.text
    assert removed.status_code == 302
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    client.post("/accounts/logout/")
    assert password_step(client, "doc")["Location"] == "/staff/"


def test_clinic_requirement_sends_staff_without_a_device_to_enrolment(login, settings):
    settings.STAFF_2FA_REQUIRED = True
    client = login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    assert client.get("/accounts/two-factor/").status_code == 200


def test_clinic_requirement_is_met_once_enrolled(login, settings):
    settings.STAFF_2FA_REQUIRED = True
    client = login(make_user(Role.PRACTITIONER))
    client.get("/accounts/two-factor/")
    client.post("/accounts/two-factor/", {"code": code(TOTPDevice.objects.get())})

    assert client.get("/staff/").status_code == 200


def test_without_the_requirement_staff_without_a_device_open_staff_pages(login):
    client = login(make_user(Role.PRACTITIONER))

    assert client.get("/staff/").status_code == 200


def test_patients_are_not_affected_by_the_requirement(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    make_user(Role.PATIENT, username="paula")

    password_step(client, "paula")

    assert client.get("/portal/").status_code == 200


def test_admin_with_a_device_requires_the_code(client):
    admin = make_user(Role.PRACTITIONER, username="boss", is_staff=True, is_superuser=True)
    device, _ = enrolled(admin)
    client.force_login(admin)

    unverified = client.get("/admin/", follow=True)
    client.post("/accounts/two-factor/code/", {"code": code(device)})
    verified = client.get("/admin/")

    assert unverified.redirect_chain[-1][0] == "/accounts/two-factor/code/?next=%2Fadmin%2F"
    assert verified.status_code == 200


def test_admin_without_a_device_opens_after_password(client):
    make_user(Role.PRACTITIONER, username="boss", is_staff=True, is_superuser=True)
    password_step(client, "boss")

    assert client.get("/admin/").status_code == 200


def test_admin_log_in_page_hands_over_to_the_clinic_log_in(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_password_change_sends_an_unverified_session_to_the_code_step(login):
    user = make_user(Role.PRACTITIONER)
    enrolled(user)
    client = login(user)  # a password-only session, e.g. started before the device was added

    response = client.get("/accounts/password/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/code/")


def test_sot_analysis_api_refuses_an_unverified_session(login):
    user = make_user(Role.PRACTITIONER)
    enrolled(user)
    client = login(user)

    response = client.post(
        "/api/v1/sot/analyze", {"indicators": []}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_sot_analysis_api_answers_a_verified_session(client):
    user = make_user(Role.PRACTITIONER, username="doc")
    device, _ = enrolled(user)
    password_step(client, "doc")
    client.post("/accounts/two-factor/code/", {"code": code(device)})

    response = client.post(
        "/api/v1/sot/analyze", {"indicators": []}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "indeterminate"


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PATIENT])
def test_clinic_requirement_sends_an_admin_without_a_device_to_enrolment(client, settings, role):
    settings.STAFF_2FA_REQUIRED = True
    make_user(role, username="boss", is_staff=True, is_superuser=True)
    password_step(client, "boss", next_url="/admin/")

    response = client.get("/admin/accounts/user/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/two-factor/"
    assert "requires two-factor sign-in" in response.text
    assert client.get("/admin/").status_code == 302


def test_clinic_requirement_lets_an_admin_in_once_enrolled(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    make_user(Role.PATIENT, username="boss", is_staff=True, is_superuser=True)
    password_step(client, "boss")
    client.get("/accounts/two-factor/")
    client.post("/accounts/two-factor/", {"code": code(TOTPDevice.objects.get())})

    assert client.get("/admin/accounts/user/").status_code == 200
