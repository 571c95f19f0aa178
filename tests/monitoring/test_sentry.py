import json
import os
import subprocess
import sys

from sotclinic.monitoring.sentry import scrub_event

EMAIL = "philippa.quartermaine@example.com"
TOKEN = "eyJhIjoxfQ:1tZ9Xq:secret-signature-that-must-not-be-sent"


def _event() -> dict:
    """An error event shaped as sentry-sdk's Django integration sends it."""
    return {
        "level": "error",
        "user": {"id": "7", "email": EMAIL, "ip_address": "203.0.113.9"},
        "request": {
            "method": "POST",
            "url": f"http://clinic.example/intake/{TOKEN}/history/",
            "query_string": f"email={EMAIL}",
            "data": {"first_name": "Philippa", "email": EMAIL},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "Referer": f"/booking/{TOKEN}/"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "duplicate key value\nDETAIL:  Key (email)=(x@y.example) exists.",
                    "stacktrace": {
                        "frames": [{"function": "book", "vars": {"email": EMAIL}}],
                    },
                },
                {"type": "ValueError", "value": f"no patient with {EMAIL}"},
            ]
        },
        "logentry": {"message": "Booking for %s failed", "params": [EMAIL]},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT ... WHERE email = %s"},
                {"category": "django.request", "message": f"Not Found: /intake/{TOKEN}/"},
            ]
        },
        "extra": {"sys.argv": ["sotclinic", "restore", "/tmp/backup"]},
    }


def test_sentry_events_keep_the_error_but_nothing_about_the_patient():
    event = scrub_event(_event(), {})

    sent = json.dumps(event)
    for personal in (EMAIL, "x@y.example", "Philippa", "secret-signature", "203.0.113.9", "abc"):
        assert personal not in sent
    assert event["request"] == {
        "method": "POST",
        "url": "http://clinic.example/intake/[redacted]/history/",
    }
    assert [e["type"] for e in event["exception"]["values"]] == ["IntegrityError", "ValueError"]
    assert event["exception"]["values"][0]["value"].startswith("duplicate key value")
    assert event["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "book"}]
    assert [c["category"] for c in event["breadcrumbs"]["values"]] == ["django.request"]


def _sentry_options(**env) -> dict:
    code = (
        "import json, django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "o = c.options; print(json.dumps({'active': c.is_active(), "
        "'pii': o.get('send_default_pii'), 'locals': o.get('include_local_variables'), "
        "'body': o.get('max_request_body_size'), "
        "'before_send': getattr(o.get('before_send'), '__qualname__', None)}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_sentry_is_on_only_with_a_dsn_and_never_sends_personal_data(tmp_path):
    off = _sentry_options(SOTCLINIC_VAR_DIR=str(tmp_path))
    on = _sentry_options(
        SOTCLINIC_VAR_DIR=str(tmp_path), SENTRY_DSN="https://public@sentry.invalid/1"
    )

    assert off["active"] is False
    assert on == {
        "active": True,
        "pii": False,
        "locals": False,
        "body": "never",
        "before_send": "scrub_event",
    }
