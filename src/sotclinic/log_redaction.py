"""Keep signed links out of the logs.

The intake, follow-up and booking manage links carry their signed token in the URL path, and
a token opens a patient's intake or booking. Django logs the path of every 4xx/5xx response
(``django.request``, ``django.security.csrf``) and ``runserver`` logs every request
(``django.server``), so these loggers get ``RedactTokensInPaths``; gunicorn's access log
goes through ``RedactingAccessLogger`` (set by ``sotclinic serve``), which also drops query
strings, and writes JSON lines with ``LOG_FORMAT=json``.
"""

import datetime as dt
import json
import logging
import os
import re

from gunicorn.glogging import Logger

# A token is a path segment of 20 or more characters (signed values are far longer);
# ordinary segments are short words and numeric ids.
TOKEN_SEGMENT = re.compile(r"(?<=/)[^/\s\"]{20,}")


def redact_tokens(text: str) -> str:
    """``text`` with every long path segment replaced by ``[redacted]``."""
    return TOKEN_SEGMENT.sub("[redacted]", text)


class RedactTokensInPaths(logging.Filter):
    """Rewrite a record's message with token-like path segments redacted; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def _json_logs() -> bool:
    return os.environ.get("LOG_FORMAT", "text").strip().lower() == "json"


class RedactingAccessLogger(Logger):
    """Gunicorn's logger with tokens redacted from the path and the query string dropped."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if atoms.get(key):
                atoms[key] = redact_tokens(atoms[key])
        if atoms.get("q"):
            atoms["q"] = "[redacted]"
        return atoms

    def setup(self, cfg):
        super().setup(cfg)
        if _json_logs():
            # gunicorn's own lines (start, stop, worker timeouts) as JSON like the app's.
            from sotclinic.json_logs import JsonFormatter

            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not _json_logs():
            return super().access(resp, req, environ, request_time)
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict):
            return
        atoms = self.atoms(resp, req, environ, request_time)
        # The same fields as the text line; the request id is the app's X-Request-ID header.
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": f"{atoms['m']} {atoms['U']} {atoms['s']}",
            "request_id": atoms.get("{x-request-id}o"),
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "status": atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        try:
            self.access_log.info("%s", json.dumps(entry, ensure_ascii=False))
        except Exception:  # a log line must never fail the request; gunicorn does the same
            self.exception("Writing the access log failed")
