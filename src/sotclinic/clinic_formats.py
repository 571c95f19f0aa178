"""Template filters that write dates and times the clinic's way (a builtin of every template).

``{{ start|long_datetime }}`` is "Tuesday 4 March 2026, 14:30" in a British clinic, "Tuesday,
March 4, 2026, 2:30 PM" in an American one and "Dienstag, 4. März 2026, 14:30" in German. Like
Django's ``date`` filter, aware datetimes are shown in the current time zone.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django import template
from django.utils import formats
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars

from . import clinic_locale

register = template.Library()


def formatted(value, fmt: str) -> str:
    """``value`` (a date, datetime or time) in the Django format ``fmt``; "" for none."""
    return date_formatter(fmt)(value)


def date_formatter(fmt: str) -> Callable[[Any], str]:
    """``formatted`` in the one format ``fmt``, for a page that writes many dates: the format is
    looked up and split into its parts once, not for every value.

    The parts are written by Django's own ``DateFormat`` and ``TimeFormat``, so the text is
    the ``date`` filter's to the letter; what a value of each row costs is only its parts."""
    parts = _format_parts(formats.get_format(fmt))
    time_parts = [name for name, is_code in parts if is_code and hasattr(TimeFormat, name)]

    def render(value) -> str:
        if value in (None, ""):
            return ""
        if isinstance(value, dt.time):
            writer = TimeFormat(value)
        else:
            if time_parts and type(value) is dt.date:
                raise TypeError(
                    "The format for date objects may not contain time-related format "
                    f"specifiers (found '{time_parts[0]}')."
                )
            writer = DateFormat(value)
        try:
            return "".join(str(getattr(writer, text)()) if code else text for text, code in parts)
        except AttributeError:  # a date part asked of a time
            return ""

    return render


@functools.lru_cache(maxsize=64)
def _format_parts(fmt: str) -> tuple[tuple[str, bool], ...]:
    """``fmt`` as (text, is a format code) pairs, split as Django's ``Formatter.format`` does."""
    parts = []
    for i, piece in enumerate(re_formatchars.split(fmt)):
        if i % 2:
            parts.append((piece, True))
        elif piece:
            parts.append((re_escaped.sub(r"\1", piece), False))
    return tuple(parts)


def format_string(style: str, with_time: bool = False) -> str:
    """The clinic's format for a date in ``style`` (``FILTERS``), with the time if asked: a
    page writing many dates looks it up once and passes it to ``formatted``."""
    fmt = clinic_locale.date_format(style)
    return f"{fmt}, {clinic_locale.time_format()}" if with_time else fmt


def _date_filter(style: str, with_time: bool = False):
    def render(value):
        return formatted(value, format_string(style, with_time))

    return render


# filter name: (date style, with the time)
FILTERS = {
    "long_date": ("long", False),  # Tuesday 4 March 2026
    "long_datetime": ("long", True),  # Tuesday 4 March 2026, 14:30
    "medium_date": ("medium", False),  # 4 Mar 2026
    "medium_datetime": ("medium", True),
    "short_date": ("short", False),  # 04/03/2026
    "short_datetime": ("short", True),
    "weekday_date": ("weekday", False),  # Tue 4 Mar 2026
    "weekday_datetime": ("weekday", True),
    "long_day_month": ("long_day_month", False),  # Tuesday 4 March
    "long_day_month_datetime": ("long_day_month", True),
    "day_month": ("day_month", False),  # 4 Mar
    "day_month_year": ("day_month_year", False),  # 4 March 2026
    "day_month_year_datetime": ("day_month_year", True),
}
for _name, (_style, _with_time) in FILTERS.items():
    register.filter(_name, _date_filter(_style, _with_time), expects_localtime=True)


@register.filter(expects_localtime=True)
def clock(value) -> str:
    """A time of day on the clinic's clock: 14:30 or 2:30 PM."""
    return formatted(value, clinic_locale.time_format())


@register.filter(expects_localtime=True)
def clock_seconds(value) -> str:
    return formatted(value, clinic_locale.time_format(seconds=True))


@register.simple_tag
def dob_example() -> str:
    """A date of birth typed in the clinic's entry order (31/12/1980 or 12/31/1980)."""
    return clinic_locale.dob_example()
