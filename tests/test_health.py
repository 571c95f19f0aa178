import json
import urllib.error
import urllib.request

import pytest

from tests.servers import serving


def test_healthz_reports_ok_with_a_working_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-directory/for/sotclinic.sqlite3",
        "postgres://postgres@127.0.0.1:1/unreachable",
    ],
    ids=["sqlite-unopenable", "postgres-nothing-listening"],
)
def test_healthz_answers_503_with_the_reason_when_the_database_is_unreachable(
    tmp_path, database_url
):
    with serving(tmp_path, DATABASE_URL=database_url) as base:
        status, body = _get(f"{base}/healthz")

    assert status == 503
    assert body["status"] == "error"
    assert "Error" in body["database"]
