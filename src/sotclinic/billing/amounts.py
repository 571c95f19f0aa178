"""Amounts as people type them (major units, ``Decimal``) and as sotclinic stores them (integer
minor units). Never a float on either side."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sotclinic.money import minor_unit_exponent

from .errors import BillingError


def minor_digits(currency: str) -> int:
    """The currency's decimals, as ``sotclinic.money`` shows them (one owner of the rule)."""
    try:
        return minor_unit_exponent(currency)
    except ValueError as error:
        raise BillingError(
            _("%(currency)s is not a currency code.") % {"currency": currency}
        ) from error


def to_minor(major: Decimal | str, currency: str) -> int:
    """``Decimal("45.50")`` in GBP → 4550; refuses more decimals than the currency has."""
    try:
        value = major if isinstance(major, Decimal) else Decimal(str(major).strip())
    except InvalidOperation as error:
        raise BillingError(_("Enter an amount such as 45.00.")) from error
    if not value.is_finite():
        raise BillingError(_("Enter an amount such as 45.00."))
    scaled = value.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise BillingError(
            _("%(currency)s amounts have at most %(digits)s decimal places.")
            % {"currency": currency, "digits": minor_digits(currency)}
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """4550 in GBP → ``Decimal("45.50")``, for a form's initial value."""
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
