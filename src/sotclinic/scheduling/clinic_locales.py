"""The clinic's locale, and the language a message to a patient is written in."""

import contextlib
import zoneinfo

from django.db import DatabaseError
from django.utils import timezone

from sotclinic import clinic_locale
from sotclinic.patients.models import Patient

from . import schedule_cache
from .models import ClinicSettings, Location
from .selectors import clinic_zone


def current_clinic_locale() -> clinic_locale.ClinicLocale:
    """The clinic's saved locale; the default one when the database cannot be read (so the
    health check can still say that the database is down)."""
    try:
        if schedule_cache.caching_allowed():
            return ClinicSettings.load().locale()
        # Inside a transaction: read only, so a page never writes the settings row.
        saved = ClinicSettings.with_clock().filter(pk=1).first()
    except DatabaseError:
        return clinic_locale.DEFAULT
    return saved.locale() if saved is not None else clinic_locale.DEFAULT


def clock(locale: clinic_locale.ClinicLocale) -> zoneinfo.ZoneInfo | None:
    """The time zone of the clinic's clock in ``locale``; None for the server's."""
    return zoneinfo.ZoneInfo(locale.time_zone) if locale.time_zone else None


@contextlib.contextmanager
def written_for(
    patient: Patient | None,
    clinic: ClinicSettings | None = None,
    location: Location | None = None,
):
    """Text rendered inside is in the patient's language (else the clinic's), with the
    clinic's date and time formats, and its times on the clock of ``location`` (the place it is
    about), else the clinic's, whether or not a request is going on. ``clinic``: the settings
    row when the caller has read it already (it is not read again).

    The date filters show a time in the current time zone, as Django's ``date`` does: without
    this a time would be written on the server's clock (TIME_ZONE, UTC by default), not the
    clinic's."""
    language = patient.preferred_language if patient is not None else ""
    locale = clinic.locale() if clinic is not None else current_clinic_locale()
    zone = location.tz if location is not None else clock(locale) or clinic_zone()
    with clinic_locale.override(locale, language or None), timezone.override(zone):
        yield
