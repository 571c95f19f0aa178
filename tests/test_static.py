import os
import re
import subprocess
import sys
import urllib.request

import pytest

from tests.servers import serving


@pytest.mark.parametrize("path", ["/static/sotclinic/app.css", "/static/django_htmx/htmx-2.min.js"])
def test_stylesheet_and_htmx_are_served_from_the_package_in_tests(client, db, path):
    response = client.get(path)

    assert response.status_code == 200


def test_a_server_serves_collected_files_under_hashed_names_for_ten_years(tmp_path):
    # The app's own settings, as a server runs them: collectstatic first, no finders.
    env = {"DJANGO_SETTINGS_MODULE": "sotclinic.settings", "STATIC_ROOT": str(tmp_path / "st")}
    subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", "manage", "collectstatic", "--noinput", "-v0"],
        env={**os.environ, "SOTCLINIC_VAR_DIR": str(tmp_path), **env},
        check=True,
        timeout=120,
    )

    with serving(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **env) as base:
        page = urllib.request.urlopen(f"{base}/accounts/login/", timeout=30).read().decode()
        hashed = re.search(r'href="(/static/sotclinic/app\.[0-9a-f]{12}\.css)"', page)
        assert hashed, "the page links the stylesheet by its hashed name"
        with urllib.request.urlopen(f"{base}{hashed.group(1)}", timeout=30) as response:
            hashed_cache = response.headers["Cache-Control"]
        with urllib.request.urlopen(f"{base}/static/sotclinic/app.css", timeout=30) as response:
            plain_cache = response.headers["Cache-Control"]

    assert hashed_cache == "max-age=315360000, public, immutable"
    assert plain_cache == "max-age=3600, public"


def test_favicon_redirects_to_the_icon_for_this_release(client, db):
    response = client.get("/favicon.ico")

    # Not permanent: with collected files the target's name carries its content hash.
    assert response.status_code == 302
    assert response["Location"] == "/static/sotclinic/favicon.svg"
