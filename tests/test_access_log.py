import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

TOKEN = "eyJhIjoxfQ:1tZ9Xq:secret-signature-that-must-not-be-logged"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str) -> None:
    # A 4xx for a bogus token is expected; only the log line matters here.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=5).read()


def test_access_log_keeps_method_and_status_but_not_signed_tokens(tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "SOTCLINIC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": str(log),
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
                _request(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        _request(f"http://127.0.0.1:{port}/booking/{TOKEN}/?email=someone@example.com")
        _request(f"http://127.0.0.1:{port}/intake/{TOKEN}/history/")
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)

    text = log.read_text()
    assert '"GET /healthz" 200' in text
    assert '"GET /booking/[redacted]/"' in text
    assert '"GET /intake/[redacted]/history/"' in text
    assert "secret-signature" not in text
    assert "someone@example.com" not in text
