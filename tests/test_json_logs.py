import datetime as dt
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from sotclinic.json_logs import JsonFormatter, ScrubPersonalData
from tests.servers import free_port, serving

FIRST, LAST, EMAIL = "Philippa", "Quartermaine", "philippa.quartermaine@example.com"


def _call(url: str, body: dict | None = None) -> tuple[int, object, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def _prepare(tmp_path, env: dict) -> None:
    for args in (["manage", "migrate", "--verbosity", "0"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "sotclinic.cli", *args],
            env={**os.environ, "SOTCLINIC_VAR_DIR": str(tmp_path), **env},
            check=True,
            capture_output=True,
            timeout=180,
        )


def test_json_log_lines_carry_the_request_id_and_nothing_about_the_patient(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        # The mail server is down: the booking's confirmation fails and is logged.
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),
    }
    _prepare(tmp_path, env)
    server_log, access_log = tmp_path / "server.log", tmp_path / "access.log"

    with serving(
        tmp_path,
        log=server_log,
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        ACCESS_LOG=str(access_log),
        **env,
    ) as base:
        _, kinds, _ = _call(f"{base}/api/v1/appointment-types")
        kind = next(k for k in kinds if k["new_patients_may_book_online"])
        start = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        _, slots, _ = _call(
            f"{base}/api/v1/slots?appointment_type={kind['id']}&start={start}&days=14"
        )
        booking = {
            "appointment_type": kind["id"],
            "practitioner": slots[0]["practitioner"],
            "start": slots[0]["start"],
            "first_name": FIRST,
            "last_name": LAST,
            "email": EMAIL,
            "phone": "+44 20 7946 0000",
            "date_of_birth": "1985-04-03",
            "consent": True,
        }
        booked, _, booked_headers = _call(f"{base}/api/v1/bookings", booking)
        other = {**booking, "first_name": "Bartholomew", "email": "bart.fenwick@example.org"}
        taken, _, taken_headers = _call(f"{base}/api/v1/bookings", other)

    assert (booked, taken) == (201, 409)
    lines = [line for line in server_log.read_text().splitlines() if line.strip()]
    lines += [line for line in access_log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for request_id in (booked_headers["X-Request-ID"], taken_headers["X-Request-ID"]):
        of_request = [r for r in records if r.get("request_id") == request_id]
        # The access line and at least one line of the app (the failed confirmation e-mail;
        # the 409 warning).
        assert {r["logger"] for r in of_request} >= {"gunicorn.access"}
        assert len(of_request) >= 2, of_request
    # Request ids are random hex, which may hold any four digits: look everywhere else.
    text = "\n".join(
        json.dumps(
            {key: value for key, value in r.items() if key != "request_id"}, ensure_ascii=False
        )
        for r in records
    )
    for personal in (FIRST, LAST, EMAIL, "Bartholomew", "example.", "7946", "1985"):
        assert personal not in text


def test_an_exception_is_logged_as_its_type_and_frames_without_its_message():
    try:
        raise ValueError(f"duplicate key: Key (email)=({EMAIL}) already exists")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    entry = json.loads(JsonFormatter().format(record))

    assert entry["exception"]["type"] == "ValueError"
    assert any("test_json_logs.py" in frame for frame in entry["exception"]["frames"])
    assert EMAIL not in json.dumps(entry)


@pytest.mark.parametrize(
    "message",
    [
        f"Could not deliver to {EMAIL}",
        "Not Found: /intake/eyJhIjoxfQ:1tZ9Xq:secret-signature-that-must-not-be-logged/",
    ],
)
def test_messages_lose_e_mail_addresses_and_signed_tokens(message):
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, message, (), None)

    ScrubPersonalData().filter(record)

    assert EMAIL not in record.getMessage()
    assert "secret-signature" not in record.getMessage()
