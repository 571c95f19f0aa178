import contextlib
import time
import urllib.error
import urllib.request

from tests.servers import serving

TOKEN = "eyJhIjoxfQ:1tZ9Xq:secret-signature-that-must-not-be-logged"


def _request(url: str) -> None:
    # A 4xx for a bogus token is expected; only the log line matters here.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=5).read()


def test_access_log_keeps_method_and_status_but_not_signed_tokens(tmp_path):
    log = tmp_path / "access.log"

    with serving(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", ACCESS_LOG=str(log)
    ) as base:
        _request(f"{base}/booking/{TOKEN}/?email=someone@example.com")
        _request(f"{base}/intake/{TOKEN}/history/")
        time.sleep(0.5)

    text = log.read_text()
    # The server runs on an unmigrated database, which /healthz reports as 503.
    assert '"GET /healthz" 503' in text
    assert '"GET /booking/[redacted]/"' in text
    assert '"GET /intake/[redacted]/history/"' in text
    assert "secret-signature" not in text
    assert "someone@example.com" not in text
