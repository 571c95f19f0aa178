"""The clinic's locale: how dates, times and dates of birth are written and read.

A clinic's settings (``scheduling.models.ClinicSettings``) hold its language, clock, date
order, first day of the week and date-of-birth entry order. The locale middleware makes them
current for each request; code outside a request (reminders, follow-ups) sets them with
``override``. Everything here reads the current one, so lower layers (patients, intake forms)
can follow the clinic without importing scheduling.
"""

import contextlib
import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext_noop

DAY_MONTH_YEAR = "DMY"
MONTH_DAY_YEAR = "MDY"
YEAR_MONTH_DAY = "YMD"
DATE_ORDERS = (DAY_MONTH_YEAR, MONTH_DAY_YEAR, YEAR_MONTH_DAY)
# Diagnosis code systems: the US clinical modification, or the WHO's ICD-10 used elsewhere
# (national modifications such as ICD-10-GM read as ICD-10). Stored with each code as the FHIR
# system URI, so a record says which system its codes belong to.
ICD10CM = "icd10cm"
ICD10 = "icd10"
CODE_SYSTEM_URIS = {
    ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    ICD10: "http://hl7.org/fhir/sid/icd-10",
}
CLOCK_24 = "24h"
CLOCK_12 = "12h"


@dataclass(frozen=True)
class ClinicLocale:
    language: str = "en-gb"
    time_format: str = CLOCK_24
    date_order: str = DAY_MONTH_YEAR
    first_day_of_week: int = 1  # 0 Sunday, 1 Monday, as Django's FIRST_DAY_OF_WEEK
    dob_order: str = DAY_MONTH_YEAR
    currency: str = "GBP"
    phone_region: str = "GB"
    diagnosis_codes: str = "icd10"  # ICD10CM or ICD10: the system diagnoses are coded in
    us_billing_codes: bool = False  # whether US billing codes (CPT/HCPCS) are offered
    # The clinic's clock: its first location's time zone; "" for the server's (TIME_ZONE).
    time_zone: str = ""

    @property
    def code_system_uri(self) -> str:
        """The FHIR system URI of the clinic's diagnosis codes."""
        return CODE_SYSTEM_URIS[self.diagnosis_codes]


DEFAULT = ClinicLocale()


def default_code_system(country: str) -> str:
    """ICD-10-CM for a US clinic (ISO 3166 ``country``), WHO ICD-10 anywhere else."""
    return ICD10CM if (country or "").upper() == "US" else ICD10


def default_us_billing_codes(country: str) -> bool:
    """US billing codes (CPT/HCPCS) are offered by default only to a US clinic."""
    return (country or "").upper() == "US"


_current: ContextVar[ClinicLocale] = ContextVar("clinic_locale", default=DEFAULT)


def current() -> ClinicLocale:
    return _current.get()


def activate(locale: ClinicLocale):
    """Make ``locale`` current; returns the token ``deactivate`` takes."""
    return _current.set(locale)


def deactivate(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def override(locale: ClinicLocale, language: str | None = None):
    """The clinic's formats, and its language unless ``language`` (a patient's) is given."""
    token = activate(locale)
    try:
        with translation.override(language or locale.language):
            yield
    finally:
        deactivate(token)


# --- Dates of birth as typed ---------------------------------------------------------------
# ISO always works (it is what a browser's date picker sends); the typed forms follow the clinic,
# so "03/04/1985" is 3 April in a day-first clinic and March 4 in a month-first one.
_DOB_FORMATS = {
    DAY_MONTH_YEAR: ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"),
    MONTH_DAY_YEAR: ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"),
    YEAR_MONTH_DAY: ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"),
}
_DOB_EXAMPLES = {
    DAY_MONTH_YEAR: "31/12/1980",
    MONTH_DAY_YEAR: "12/31/1980",
    YEAR_MONTH_DAY: "1980/12/31",
}
_DOB_PATTERNS = {
    DAY_MONTH_YEAR: gettext_noop("DD/MM/YYYY"),
    MONTH_DAY_YEAR: gettext_noop("MM/DD/YYYY"),
    YEAR_MONTH_DAY: gettext_noop("YYYY/MM/DD"),
}


def dob_input_formats() -> tuple[str, ...]:
    return _DOB_FORMATS[current().dob_order]


def date_input_formats(order: str | None = None) -> tuple[str, ...]:
    """How a date is read when written in ``order`` (the clinic's date order by default):
    ISO always, then the slashed, dotted and dashed forms of that order."""
    return _DOB_FORMATS[order or current().date_order]


def dob_example() -> str:
    """A date of birth written in the clinic's order, for help and error texts."""
    return _DOB_EXAMPLES[current().dob_order]


def dob_pattern() -> str:
    """How a date of birth is typed in this clinic, in the reader's letters (TT/MM/JJJJ)."""
    return translation.gettext(_DOB_PATTERNS[current().dob_order])


class DobInputFormats:
    """The clinic's date-of-birth formats, read when a form field parses (``input_formats``)."""

    def __iter__(self):
        return iter(dob_input_formats())


# --- Dates and times as shown --------------------------------------------------------------
# Format strings of django.utils.dateformat; names of days and months follow the active
# language. German writes day-first dates with dots ("Dienstag, 4. März 2026").
_DATE_FORMATS = {
    "long": {
        DAY_MONTH_YEAR: "l j F Y",
        MONTH_DAY_YEAR: "l, F j, Y",
        YEAR_MONTH_DAY: "l Y-m-d",
        "de": "l, j. F Y",
    },
    "medium": {
        DAY_MONTH_YEAR: "j M Y",
        MONTH_DAY_YEAR: "M j, Y",
        YEAR_MONTH_DAY: "Y-m-d",
        "de": "j. M Y",
    },
    "short": {
        DAY_MONTH_YEAR: "d/m/Y",
        MONTH_DAY_YEAR: "m/d/Y",
        YEAR_MONTH_DAY: "Y-m-d",
        "de": "d.m.Y",
    },
    "long_day_month": {
        DAY_MONTH_YEAR: "l j F",
        MONTH_DAY_YEAR: "l, F j",
        YEAR_MONTH_DAY: "l m-d",
        "de": "l, j. F",
    },
    "day_month": {
        DAY_MONTH_YEAR: "j M",
        MONTH_DAY_YEAR: "M j",
        YEAR_MONTH_DAY: "m-d",
        "de": "j. M",
    },
    "weekday": {
        DAY_MONTH_YEAR: "D j M Y",
        MONTH_DAY_YEAR: "D, M j, Y",
        YEAR_MONTH_DAY: "D Y-m-d",
        "de": "D, j. M Y",
    },
    "day_month_year": {
        DAY_MONTH_YEAR: "j F Y",
        MONTH_DAY_YEAR: "F j, Y",
        YEAR_MONTH_DAY: "Y-m-d",
        "de": "j. F Y",
    },
}
DATE_STYLES = tuple(_DATE_FORMATS)


def date_format(style: str) -> str:
    """The clinic's format string for a date in ``style`` (long, medium, short, …)."""
    locale = current()
    formats = _DATE_FORMATS[style]
    language = translation.get_language() or locale.language
    if locale.date_order == DAY_MONTH_YEAR and language.split("-")[0] == "de":
        return formats["de"]
    return formats[locale.date_order]


def time_format(seconds: bool = False) -> str:
    """The clinic's clock: 14:30 or 2:30 PM."""
    if current().time_format == CLOCK_12:
        return "g:i:s A" if seconds else "g:i A"
    return "H:i:s" if seconds else "H:i"


def template_context(request) -> dict:
    """Context processor: ``clinic_locale`` for templates (e.g. whether US codes are shown)."""
    return {"clinic_locale": current()}


def week_start(day: dt.date) -> dt.date:
    """The first day of the clinic's week that holds ``day``."""
    first = current().first_day_of_week  # 0 Sunday … 6 Saturday
    return day - dt.timedelta(days=(day.isoweekday() - first) % 7)


def date_text(value: dt.date | dt.datetime, style: str = "long") -> str:
    """A date written the clinic's way in Python code (messages), like the template filters."""
    return formats.date_format(value, date_format(style))


def time_text(value: dt.datetime | dt.time, seconds: bool = False) -> str:
    """A time of day on the clinic's clock, in Python code (messages)."""
    if isinstance(value, dt.time):
        return formats.time_format(value, time_format(seconds))
    return formats.date_format(value, time_format(seconds))
