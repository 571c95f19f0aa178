"""Reading dates, times and page numbers from query strings, for every page that takes them.

A query string is whatever a person typed or a link carried: ``2026-02-30``, ``9999-12-31``
or a NUL byte. Each reader here either returns a value every caller can compute with (dates
stay far from the ends of the calendar, so adding a few weeks or a time zone never
overflows) or raises ``BadParameter``, which Django answers with a 400 page that shows its
message (``handler400`` in ``sotclinic.urls``). Messages never repeat the value given.
"""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.utils.dateparse import parse_date, parse_datetime

# Wide enough for any appointment, visit or report, far enough from date.min/date.max that
# date arithmetic and time-zone conversion stay in range.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
# Beyond this a page number is not a page but a typo (or a probe).
LAST_PAGE_NUMBER = 100_000


class BadParameter(BadRequest):
    """A query parameter that cannot be used; the message is for the person who sent it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _raw(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise BadParameter(name, "contains a character that is not allowed.")
    return value


def date_param(
    params: Mapping[str, str],
    name: str,
    *,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date = LATEST_DATE,
) -> dt.date | None:
    """The date in ``params[name]`` (YYYY-MM-DD), or None when it is absent or empty.

    Raises BadParameter for anything that is not a real date between ``earliest`` and
    ``latest``.
    """
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        value = parse_date(raw)
    except ValueError:  # well formed but not a day of the calendar, e.g. 2026-02-30
        value = None
    if value is None:
        raise BadParameter(name, "give a real date as YYYY-MM-DD, for example 2026-03-02.")
    if not earliest <= value <= latest:
        raise BadParameter(
            name, f"give a date between {earliest.isoformat()} and {latest.isoformat()}."
        )
    return value


def datetime_param(
    params: Mapping[str, str],
    name: str,
    *,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date = LATEST_DATE,
) -> dt.datetime | None:
    """The moment in ``params[name]`` (ISO 8601 with a UTC offset), or None when absent.

    Raises BadParameter for a malformed value, one without an offset (it would mean a
    different moment in every time zone), or one outside the date range.
    """
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:  # well formed but impossible, e.g. month 13 or 10:61
        value = None
    if value is None or value.tzinfo is None or value.utcoffset() is None:
        raise BadParameter(
            name, "give a date and time with its UTC offset, e.g. 2026-03-02T10:00:00+00:00."
        )
    if not earliest <= value.date() <= latest:
        raise BadParameter(
            name, f"give a time between {earliest.isoformat()} and {latest.isoformat()}."
        )
    return value


def page_param(params: Mapping[str, str], name: str = "page", *, last: int | None = None) -> int:
    """The page number in ``params[name]``: 1 when absent, never below 1 nor above ``last``.

    Raises BadParameter for something that is not a whole number within reach.
    """
    raw = _raw(params, name)
    if raw is None:
        return 1
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(LAST_PAGE_NUMBER)):
        raise BadParameter(name, "give a page number such as 2.")
    page = int(raw)
    if not 1 <= page <= LAST_PAGE_NUMBER:
        raise BadParameter(name, "give a page number such as 2.")
    return min(page, last) if last is not None else page
