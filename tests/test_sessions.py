"""Log-out on one app server must end the session on every other (and in every worker)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.servers import serving


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _prepare_database(tmp_path, env: dict) -> None:
    full_env = {**os.environ, "SOTCLINIC_VAR_DIR": str(tmp_path), **env}
    for args in (["manage", "migrate", "--verbosity", "0"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "sotclinic.cli", *args],
            env=full_env,
            check=True,
            capture_output=True,
            timeout=120,
        )


@pytest.mark.parametrize(
    "cache",
    [
        "memory",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379"),
        ),
    ],
)
def test_log_out_on_one_server_ends_the_session_on_the_others(tmp_path, cache):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    if cache == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    _prepare_database(tmp_path, env)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())

    def status(url: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with opener.open(url, data=body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # Two servers on one database, as several app servers on one PostgreSQL; cookies are
    # shared because they are scoped to the host, not the port.
    def replay(url: str, cookie: str) -> int:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        try:
            with urllib.request.build_opener(_NoRedirect()).open(request, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    with serving(tmp_path, **env) as server_a, serving(tmp_path, **env) as server_b:
        page = opener.open(f"{server_a}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        logged_in = status(
            f"{server_a}/accounts/login/",
            {"username": "anna", "password": "sotclinic-demo", "csrfmiddlewaretoken": token},
        )
        before = [status(f"{server}/staff/") for server in (server_a, server_b)]
        session_cookie = next(c.value for c in jar if c.name == "sessionid")
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        status(f"{server_a}/accounts/logout/", {"csrfmiddlewaretoken": csrf})
        # A copy of the old cookie (another tab, a stolen token) must be dead everywhere.
        after = [
            replay(f"{server}/staff/", f"sessionid={session_cookie}")
            for server in (server_a, server_b)
        ]

    assert logged_in == 302
    assert before == [200, 200]
    assert after == [302, 302]
