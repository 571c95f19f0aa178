"""Error reports to Sentry, only when ``SENTRY_DSN`` is set, and without personal data.

The SDK is told not to send personal data (``send_default_pii=False``: no user, cookies or
client address) nor local variables, nor request bodies; ``scrub_event`` then removes what is
left that could name a patient: query strings, headers, signed-link tokens in URLs, e-mail
addresses and quoted database values in messages, and SQL breadcrumbs.
"""

import re

from sotclinic.json_logs import scrub_text

# PostgreSQL quotes the offending row in an error's DETAIL line.
_DETAIL = re.compile(r"DETAIL:.*", re.DOTALL)


def _scrub(text):
    return _DETAIL.sub("DETAIL: [redacted]", scrub_text(text)) if isinstance(text, str) else text


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: the event without personal data."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        event["request"] = {"method": request.get("method"), "url": _scrub(url)}
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _scrub(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry["message"] = _scrub(logentry.get("message"))
        logentry["formatted"] = _scrub(logentry.get("formatted"))
        logentry.pop("params", None)
    if "message" in event:
        event["message"] = _scrub(event["message"])
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = [
            {**crumb, "message": _scrub(crumb.get("message")), "data": {}}
            for crumb in breadcrumbs.get("values") or []
            if crumb.get("category") != "query"
        ]
    event.pop("extra", None)
    return event


def init_sentry(dsn: str, environment: str, release: str) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0,
    )
