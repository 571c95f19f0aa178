"""The clinic's locale, and the language a message to a patient is written in."""

import contextlib

from django.db import DatabaseError

from sotclinic import clinic_locale
from sotclinic.patients.models import Patient

from . import schedule_cache
from .models import ClinicSettings


def current_clinic_locale() -> clinic_locale.ClinicLocale:
    """The clinic's saved locale; the default one when the database cannot be read (so the
    health check can still say that the database is down)."""
    try:
        if schedule_cache.caching_allowed():
            return ClinicSettings.load().locale()
        # Inside a transaction: read only, so a page never writes the settings row.
        saved = ClinicSettings.objects.filter(pk=1).first()
    except DatabaseError:
        return clinic_locale.DEFAULT
    return saved.locale() if saved is not None else clinic_locale.DEFAULT


@contextlib.contextmanager
def written_for(patient: Patient | None, clinic: ClinicSettings | None = None):
    """Text rendered inside is in the patient's language (else the clinic's), with the
    clinic's date and time formats, whether or not a request is going on. ``clinic``: the
    settings row when the caller has read it already (it is not read again)."""
    language = patient.preferred_language if patient is not None else ""
    locale = clinic.locale() if clinic is not None else current_clinic_locale()
    with clinic_locale.override(locale, language or None):
        yield
