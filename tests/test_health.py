import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def test_healthz_reports_ok_with_a_working_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SOTCLINIC_VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "sotclinic.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert status == 503
    assert body["status"] == "error"
    assert "Error" in body["database"]
