import base64

import pytest
from django_otp.oath import totp

from sotclinic.accounts.models import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app set up with this key shows now (or a period later)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, step=30, t0=-30 * steps_ahead):06d}"


def test_practitioner_enrols_an_app_then_signs_in_with_password_and_code(
    log_in, page, live_server, screenshot
):
    make_user(Role.PRACTITIONER, username="anna")
    log_in(page, "anna")

    page.get_by_role("link", name="Two-factor").click()
    assert page.get_by_role("heading", name="Set up two-factor sign-in").is_visible()
    assert page.get_by_label("QR code for your authenticator app").locator("svg").is_visible()
    screenshot(page, "two-factor-enrol")
    secret = page.locator("#secret-key").inner_text()
    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    assert codes.count() == 8
    screenshot(page, "two-factor-recovery-codes")

    page.get_by_role("button", name="Log out").click()
    log_in(page, "anna", lands_on="/accounts/two-factor/code/?next=%2Fstaff%2F")
    assert page.get_by_role("heading", name="Enter your code").is_visible()
    page.get_by_label("Code", exact=True).fill(
        app_code(secret, steps_ahead=1)
    )  # a code is used only once
    page.get_by_role("button", name="Verify").click()

    page.wait_for_url(f"{live_server.url}/staff/")
    assert page.get_by_role("heading", name="Today").is_visible()
