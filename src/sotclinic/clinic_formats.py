"""Template filters that write dates and times the clinic's way (a builtin of every template).

``{{ start|long_datetime }}`` is "Tuesday 4 March 2026, 14:30" in a British clinic, "Tuesday,
March 4, 2026, 2:30 PM" in an American one and "Dienstag, 4. März 2026, 14:30" in German. Like
Django's ``date`` filter, aware datetimes are shown in the current time zone.
"""

import datetime as dt

from django import template
from django.utils import formats

from . import clinic_locale

register = template.Library()


def formatted(value, fmt: str) -> str:
    """``value`` (a date, datetime or time) in the Django format ``fmt``; "" for none."""
    if value in (None, ""):
        return ""
    try:
        if isinstance(value, dt.time):
            return formats.time_format(value, fmt)
        return formats.date_format(value, fmt)
    except AttributeError:
        return ""


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
