"""Checks on a patient's details that every form taking them shares."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# Nobody alive is older; a year typed wrong (1084 for 1984) is caught here.
OLDEST_AGE_YEARS = 130


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def validate_date_of_birth(value: dt.date, today: dt.date | None = None) -> dt.date:
    """Refuse a date of birth in the future or more than OLDEST_AGE_YEARS ago.

    The one rule for the staff patient form, the public booking page, the booking API and
    the intake; raises Django's ValidationError with a message for the person typing it.
    """
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    if value < _years_before(today, OLDEST_AGE_YEARS):
        raise ValidationError(
            _("That is more than %(oldest_age_years)s years ago; check the year.")
            % {"oldest_age_years": OLDEST_AGE_YEARS},
            code="too_old",
        )
    return value


def validate_nhs_number(value: str) -> str:
    """A 10-digit NHS number (England, Wales, Isle of Man) whose last digit is its modulus-11
    check digit (NHS Data Dictionary, "NHS Number"); spaces and hyphens are allowed and dropped.
    Returns the ten digits."""
    digits = "".join(ch for ch in value if ch not in " -")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise ValidationError(_("An NHS number has 10 digits, e.g. 943 476 5919."), code="length")
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        raise ValidationError(
            _("That is not a valid NHS number (its check digit does not match); check it."),
            code="check_digit",
        )
    return digits
