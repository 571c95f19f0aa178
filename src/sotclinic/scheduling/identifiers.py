"""Identifiers insurers ask for on a claim or superbill, and how each is checked.

US clinics give a National Provider Identifier (NPI: the practice's and each practitioner's)
and the practice's tax ID (an EIN); clinics elsewhere give a registration number (GCC, HCPC,
a national register), which has no common format and is kept as written.

The NPI's tenth digit is a Luhn check digit computed over the nine digits prefixed with
80840 (the NPI's prefix as a health industry number, ISO 7812): 1234567893 is valid,
1234567898 is not (CMS, "Requirements for NPI check digit").
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NPI_PREFIX = "80840"
_EIN = re.compile(r"^[0-9]{2}-?[0-9]{7}$")


def luhn_valid(digits: str) -> bool:
    """The Luhn check (mod 10, doubling every second digit from the right) of a digit string."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def npi_valid(value: str) -> bool:
    return (
        len(value) == 10 and value.isascii() and value.isdigit() and luhn_valid(NPI_PREFIX + value)
    )


def validate_npi(value: str) -> None:
    if not (len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValidationError(_("An NPI is 10 digits."), code="npi_length")
    if not npi_valid(value):
        raise ValidationError(
            _("This NPI's last digit does not match its check digit; check for a typing error."),
            code="npi_check_digit",
        )


def validate_tax_id(value: str) -> None:
    if not _EIN.match(value):
        raise ValidationError(
            _("A US tax ID (EIN) is 9 digits, written 12-3456789."), code="tax_id_format"
        )


def normalise_tax_id(value: str) -> str:
    """An EIN as it is written on forms: two digits, a hyphen, seven digits."""
    digits = value.replace("-", "")
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else value
