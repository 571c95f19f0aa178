"""API errors are JSON, never the HTML error page, and show no internals."""

import json
import urllib.error
import urllib.request

from tests.servers import serving


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers["Content-Type"]


def test_an_unexpected_api_failure_is_a_json_500_without_internals(tmp_path):
    with serving(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/unreachable") as base:
        status, body, content_type = _get(f"{base}/api/v1/appointment-types")

    assert status == 500
    assert content_type.startswith("application/json")
    assert set(body) == {"detail"}
    assert "127.0.0.1" not in body["detail"] and "Error" not in body["detail"]
