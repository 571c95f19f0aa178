"""Log records as one JSON object per line (``LOG_FORMAT=json``), for log collectors.

Each line carries the request id of the request it was written in. Nothing about patients
goes in: messages pass ``ScrubPersonalData`` (signed-link tokens, e-mail addresses), and an
exception is written as its type and the code lines it passed through, never its message,
which can quote a database row ("Key (email)=(…) already exists").
"""

import datetime as dt
import json
import logging
import re
import traceback

from sotclinic.log_redaction import redact_tokens
from sotclinic.request_id import current_request_id

EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")


def scrub_text(text: str) -> str:
    """``text`` without signed-link tokens in paths and without e-mail addresses."""
    return EMAIL.sub("[e-mail]", redact_tokens(text))


class ScrubPersonalData(logging.Filter):
    """Rewrite a record's message with tokens and e-mail addresses removed; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def exception_outline(exc_info) -> dict:
    """The exception's type and where it passed, without its message."""
    exc_type, _, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return {"type": getattr(exc_type, "__qualname__", str(exc_type)), "frames": frames}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Django logs a 4xx after the middleware has returned, with the request attached.
            "request_id": current_request_id()
            or getattr(getattr(record, "request", None), "request_id", None),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = exception_outline(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
