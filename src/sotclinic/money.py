"""Amounts of money as people read them: ``format_money`` and the ``money`` template filter.

Amounts are integers of the currency's minor unit (pence, cents; yen have none), never floats.
How many minor units make one major unit is ``minor_unit_exponent``: the number of decimals
the Unicode CLDR (through Babel) writes the currency with. That is ISO 4217's exponent for the
currencies clinics bill in (GBP, EUR, USD, AUD, CAD, CHF, NZD 2; JPY 0; KWD, BHD 3); for a few
whose ISO minor unit is no longer used in practice (HUF, IDR, COP, IQD) CLDR says 0, and so does
this module, so amounts in those are stored in whole units. Billing converts with the same
function, so a stored amount and its shown text always agree.

``{% load money %}`` then ``{{ amount|money:currency }}`` writes the amount in the page's
language (``£12.50`` in en-GB, ``12,50 €`` in German, ``$12.50`` in en-US).
"""

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, is_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()


def _currency_code(currency: str) -> str:
    code = str(currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not is_currency(code):
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code")
    return code


def _babel_locale(locale: str | None) -> Locale:
    name = locale or get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a known locale") from exc


def minor_unit_exponent(currency: str) -> int:
    """Decimals of ``currency``: 2 for GBP, EUR and USD, 0 for JPY, 3 for KWD."""
    return get_currency_precision(_currency_code(currency))


def format_money(minor_units: int, currency: str, locale: str | None = None) -> str:
    """``minor_units`` of ``currency`` written for ``locale`` (default: the active language).

    ``format_money(1250, "GBP", "en-GB")`` is ``£12.50``, ``format_money(1250, "EUR", "de")``
    ``12,50 €``, ``format_money(1250, "JPY", "ja")`` ``￥1,250``. Raises ``TypeError`` for an
    amount that is not an integer (a float would lose pence) and ``ValueError`` for an unknown
    currency or locale.
    """
    if isinstance(minor_units, bool) or not isinstance(minor_units, int):
        raise TypeError(f"an amount of money is an int of minor units, not {minor_units!r}")
    locale = locale or get_language() or settings.LANGUAGE_CODE
    return _formatted(minor_units, str(currency or ""), locale)


# The text depends on the amount, the currency and the locale alone; a page of a report writes
# the same few amounts (0.00 above all) hundreds of times, and Babel takes tens of µs for each.
@lru_cache(maxsize=4096)
def _formatted(minor_units: int, currency: str, locale: str) -> str:
    code = _currency_code(currency)
    amount = Decimal(minor_units).scaleb(-get_currency_precision(code))
    return format_currency(amount, code, locale=_babel_locale(locale))


@register.filter(name="money")
def money_filter(minor_units, currency) -> str:
    """``{{ amount|money:currency }}``; an amount of None (not set) shows as nothing."""
    if minor_units is None or minor_units == "":
        return ""
    return format_money(minor_units, currency)
