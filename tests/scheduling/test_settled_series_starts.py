"""The rows of a planned series as the front desk settled them (kept, skipped, moved): read
the same way by the series page and by the care plan booking page."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.http import QueryDict

import sotclinic
from sotclinic.scheduling.errors import BookingError
from sotclinic.scheduling.forms import settled_row_start, settled_series_starts

LONDON = zoneinfo.ZoneInfo("Europe/London")


def posted(**rows) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in rows.items():
        data[key.replace("_", "-")] = value
    return data


def test_kept_skipped_and_moved_rows_become_the_starts_in_utc():
    post = posted(
        start_0="2026-07-06T08:00:00+00:00",
        start_1="2026-07-08T08:00:00+00:00",
        choice_1="skip",
        start_2="2026-07-10T08:00:00+00:00",
        choice_2="move",
        date_2="2026-07-11",
        time_2="10:30",
    )
    assert settled_series_starts(post, LONDON) == [
        dt.datetime(2026, 7, 6, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 11, 9, 30, tzinfo=dt.UTC),  # 10:30 British Summer Time
    ]


@pytest.mark.parametrize(
    "row",
    [
        {"start_0": "2026-07-06T08:00:00+00:00", "choice_0": "move", "date_0": ""},
        {"start_0": "not a time"},
        {"start_0": "2026-07-06T08:00:00"},  # no zone
    ],
)
def test_a_row_without_a_usable_date_and_time_is_refused(row):
    with pytest.raises(BookingError, match="date and a time"):
        settled_series_starts(posted(**row), LONDON)
    with pytest.raises(BookingError):
        settled_row_start(posted(**row), "0", LONDON)


def test_no_module_imports_a_private_name_from_another_apps_views():
    private_view_import = re.compile(r"from sotclinic\.\w+\.views import \(?\s*_")
    source = Path(sotclinic.__file__).parent
    for path in source.rglob("*.py"):
        assert not private_view_import.search(path.read_text(encoding="utf-8")), path
