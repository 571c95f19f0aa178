"""``clinic_formats.date_formatter`` writes what Django's ``date`` filter writes, in every
language, for dates, datetimes and times, escapes included."""

import datetime as dt
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils import translation

from sotclinic.clinic_formats import date_formatter, formatted

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DATETIMES = [
    dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC).astimezone(BERLIN),  # the night clocks go on
    dt.datetime(2026, 12, 10, 9, 5, tzinfo=dt.UTC).astimezone(BERLIN),
    dt.datetime(2026, 1, 1, 14, 30),  # naive
]
DATE_FORMATS = ["d/m/Y", "D j M Y", "l, F j, Y", r"j. F \Y\e\a\r Y", "N jS E b"]
FORMATS = [*DATE_FORMATS, "D j M Y, H:i", "m/d/Y g:i A", r"j. F Y \u\m H:i"]


@pytest.mark.parametrize("language", ["en-gb", "en-us", "de"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_formatter_writes_what_the_date_filter_writes(language, fmt):
    with translation.override(language):
        write = date_formatter(fmt)
        values = [dt.date(1991, 9, 24), *DATETIMES] if fmt in DATE_FORMATS else DATETIMES
        for value in values:
            assert write(value) == date_filter(value, fmt) == formatted(value, fmt)


def test_times_are_written_as_the_time_filter_writes_them():
    assert date_formatter("H:i")(dt.time(7, 5)) == time_filter(dt.time(7, 5), "H:i") == "07:05"


def test_nothing_is_written_for_no_value_or_a_date_part_of_a_time():
    write = date_formatter("d/m/Y")
    assert write(None) == write("") == ""
    assert write(dt.time(7, 5)) == ""


def test_a_date_with_a_time_format_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError):
        date_formatter("d/m/Y H:i")(dt.date(2026, 1, 1))
