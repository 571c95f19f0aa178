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
