"""A practitioner fills in the clinic's CMRT area levels in real Chromium."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_level_saved_on_the_settings_page_is_offered_on_the_exam(
    page, live_server, log_in, screenshot
):
    make_user(Role.PRACTITIONER, username="anna")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "anna", lands_on="/exam/settings", then="/exam/settings")
    expect(page.locator("#cmrt-levels")).to_contain_text("The shipped levels are empty")

    page.get_by_label("Area 3", exact=True).select_option("T5")
    page.get_by_role("button", name="Save CMRT levels").click()

    expect(page.get_by_text("CMRT area levels saved")).to_be_visible()
    expect(page.locator(".cmrt-levels-history")).to_contain_text("area 3: no level → T5")
    page.locator("#cmrt-levels").scroll_into_view_if_needed()
    screenshot(page, "exam-settings-cmrt-levels", full_page=False)
    page.goto(f"{live_server.url}/exam/new")
    expect(page.get_by_label("CMRT row 1 area").locator("option[value='3']")).to_have_text("3 (T5)")
