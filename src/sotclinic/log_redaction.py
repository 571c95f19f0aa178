"""Keep signed links out of the logs.

The intake, follow-up and booking manage links carry their signed token in the URL path, and
a token opens a patient's intake or booking. Django logs the path of every 4xx/5xx response
(``django.request``, ``django.security.csrf``) and ``runserver`` logs every request
(``django.server``), so these loggers get ``RedactTokensInPaths``; gunicorn's access log
goes through ``RedactingAccessLogger`` (set by ``sotclinic serve``), which also drops query
strings.
"""

import logging
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
