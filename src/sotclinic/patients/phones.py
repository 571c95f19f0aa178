"""Patients' phone numbers: read in the clinic's phone region, stored in E.164, shown nationally.

The one rule for the staff patient form, the public booking page and the booking API: a number
is read with ``phonenumbers`` (libphonenumber, through django-phonenumber-field) as a number of
the clinic's region unless it starts with ``+``, refused if it cannot be a real number, and
stored as E.164 (``+442079460000``). A number of the clinic's own country is shown in its
national format (``020 7946 0000``), any other in the international one.

Numbers stored before this rule that could not be read stay as they were typed (never thrown
away) and count as unchecked (``is_checked``): staff see them marked and fix them by hand.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from sotclinic import clinic_locale

from .search import digits

MAX_LENGTH = 40


def clinic_region() -> str:
    """The ISO 3166 region numbers without a +country prefix belong to (the clinic's)."""
    return clinic_locale.current().phone_region


def validate_phone_region(region: str) -> None:
    """Refuse a region libphonenumber has no numbering plan for (e.g. "ZZ")."""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("%(region)s is not a country code with a telephone numbering plan.")
            % {"region": region},
            code="unknown_region",
        )


def _parse(text: str, region: str) -> PhoneNumber | None:
    try:
        number = PhoneNumber.from_string(text, region=region)
    except phonenumbers.NumberParseException:
        return None
    return number if number.is_valid() else None


def normalise_phone(text: str, region: str | None = None) -> str:
    """The E.164 form of ``text`` ("" for a blank entry).

    Raises ValidationError with a message for the person typing when it is not a valid
    number (in ``region``, the clinic's by default, unless it starts with +country).
    """
    text = " ".join((text or "").split())
    if not text:
        return ""
    region = region or clinic_region()
    number = _parse(text, region) if len(text) <= MAX_LENGTH else None
    if number is None:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        raise ValidationError(
            _(
                "That is not a phone number we can reach. Enter it as you would dial it in "
                "this country, e.g. %(national)s, or with the country code, e.g. %(international)s."
            )
            % {
                "national": phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.NATIONAL
                ),
                "international": phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
                ),
            }
            if example
            else _("That is not a phone number we can reach. Enter it with its country code."),
            code="invalid_phone",
        )
    return number.as_e164


class _Stored(NamedTuple):
    """What a stored number reads as: checked (E.164 of a valid number), and, if so, its
    region and both ways of writing it."""

    checked: bool
    region: str = ""
    national: str = ""
    international: str = ""


@functools.lru_cache(maxsize=16384)
def _read_stored(stored: str) -> _Stored:
    """Parsing is the costly part of showing a list of patients (a page of 25 rows parsed each
    number three times); the reading of a stored string never changes, so it is kept (a few
    MB at most for a practice's every number)."""
    number = _parse(stored, "ZZ") if stored.startswith("+") else None
    if number is None or number.as_e164 != stored:
        return _Stored(False)
    return _Stored(
        True,
        phonenumbers.region_code_for_number(number),
        number.as_national,
        number.as_international,
    )


def is_checked(stored: str) -> bool:
    """True for a blank number or one stored in E.164; False for one kept as typed."""
    return not stored or _read_stored(stored).checked


def display_phone(stored: str, region: str | None = None) -> str:
    """A stored number as people write it: nationally for the clinic's own country,
    internationally for others; a number kept as typed is shown as typed."""
    if not stored:
        return ""
    reading = _read_stored(stored)
    if not reading.checked:
        return stored
    own = reading.region == (region or clinic_region())
    return reading.national if own else reading.international


def stored_digits(typed: str, region: str | None = None) -> str:
    """The digits a (part of a) number typed as dialled from the clinic's country has once
    stored in E.164, for search: in GB "0117 496" is "44117496" (the national prefix) and
    "0044 117 496" is "44117496" (the international call prefix); "" when ``typed`` starts with
    "+" or with neither prefix.
    """
    region = region or clinic_region()
    typed_digits = digits(typed)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if typed.lstrip().startswith("+") or metadata is None:
        return ""
    # The international prefix is a pattern in the metadata ("00", "011", "0(?:0|1[0-2])"…);
    # the preferred one, or a pattern that is plain digits, is what people dial.
    for exit_code in (metadata.preferred_international_prefix, metadata.international_prefix):
        if exit_code and exit_code.isdigit() and typed_digits.startswith(exit_code):
            return typed_digits[len(exit_code) :]
    prefix = metadata.national_prefix
    if not prefix or not typed_digits.startswith(prefix):
        return ""
    return f"{metadata.country_code}{typed_digits[len(prefix) :]}"
