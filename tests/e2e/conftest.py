import pytest

from tests.factories import PASSWORD


@pytest.fixture
def log_in(live_server):
    """Log in through the real log-in form; by default wait for the staff home."""

    def do(page, username: str, lands_on: str | None = "/staff/", then: str = "") -> None:
        """`then`: the page to come back to after logging in (the form's `next`)."""
        page.goto(f"{live_server.url}/accounts/login/" + (f"?next={then}" if then else ""))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        if lands_on is not None:
            page.wait_for_url(f"{live_server.url}{lands_on}")

    return do
