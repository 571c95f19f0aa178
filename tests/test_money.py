"""format_money and the {{ amount|money:currency }} filter (sotclinic.money)."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sotclinic.money import format_money, minor_unit_exponent

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("minor_units", "currency", "locale", "expected"),
    [
        (1250, "GBP", "en-GB", "£12.50"),
        (1250, "EUR", "de", f"12,50{NBSP}€"),
        (1250, "USD", "en-US", "$12.50"),
        (1250, "USD", "en-us", "$12.50"),
        (1250, "GBP", "en_GB", "£12.50"),
        (1250, "JPY", "ja", "￥1,250"),
        (1250, "JPY", "en-GB", "JP¥1,250"),
        (12345, "KWD", "en", "KWD12.345"),
        (-1250, "GBP", "en-GB", "-£12.50"),
        (0, "EUR", "de", f"0,00{NBSP}€"),
        (5, "EUR", "de", f"0,05{NBSP}€"),
        (123456789, "EUR", "de", f"1.234.567,89{NBSP}€"),
        (123456789, "GBP", "en-GB", "£1,234,567.89"),
        (1250, "CHF", "de-CH", f"CHF{NBSP}12.50"),
        (1250, "AUD", "en-AU", "$12.50"),
        (1250, "gbp", "en-US", "£12.50"),
        # Far beyond a float's exact range: still to the penny.
        (10**20 + 1, "USD", "en-US", "$1,000,000,000,000,000,000.01"),
    ],
)
def test_format_money(minor_units, currency, locale, expected):
    assert format_money(minor_units, currency, locale) == expected


def test_exponents():
    assert [minor_unit_exponent(c) for c in ("GBP", "EUR", "USD", "JPY", "KWD", "eur")] == [
        2,
        2,
        2,
        0,
        3,
        2,
    ]


def test_locale_defaults_to_the_active_language():
    with translation.override("de"):
        assert format_money(1250, "EUR") == f"12,50{NBSP}€"
    with translation.override("en-gb"):
        assert format_money(1250, "EUR") == "€12.50"
    with translation.override("en-us"):
        assert format_money(1250, "USD") == "$12.50"


def test_without_an_active_language_the_site_language_is_used(settings):
    settings.LANGUAGE_CODE = "de"
    with translation.override(None):
        assert format_money(1250, "EUR") == f"12,50{NBSP}€"


@pytest.mark.parametrize("amount", [12.5, Decimal("12.50"), "1250", True, None])
def test_only_integers_of_minor_units(amount):
    with pytest.raises(TypeError, match="minor units"):
        format_money(amount, "GBP", "en-GB")


@pytest.mark.parametrize("currency", ["", "XYZ", "EURO", "E1R", None, "€"])
def test_unknown_currency(currency):
    with pytest.raises(ValueError, match="ISO 4217"):
        format_money(1250, currency, "en-GB")
    with pytest.raises(ValueError, match="ISO 4217"):
        minor_unit_exponent(currency)


@pytest.mark.parametrize("locale", ["xx", "not a locale"])
def test_unknown_locale(locale):
    with pytest.raises(ValueError, match="not a known locale"):
        format_money(1250, "GBP", locale)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["GBP", "EUR", "JPY"]))
def test_the_digits_shown_are_the_amount(minor_units, currency):
    """Every digit of the amount is shown, none lost or added (beyond leading zeros)."""
    for locale in ("en-GB", "de", "en-US"):
        text = format_money(minor_units, currency, locale)
        assert int(re.sub(r"\D", "", text)) == abs(minor_units)
        assert text.startswith("-") == (minor_units < 0)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_template_filter_in_the_page_language():
    source = "{% load money %}{{ amount|money:currency }}"
    with translation.override("de"):
        assert render(source, amount=1250, currency="EUR") == f"12,50{NBSP}€"
    with translation.override("en-gb"):
        assert render(source, amount=1250, currency="GBP") == "£12.50"
    with translation.override("en-us"):
        assert render(source, amount=-99, currency="USD") == "-$0.99"


def test_template_filter_with_no_amount_shows_nothing():
    with translation.override("en-gb"):
        assert render("{% load money %}[{{ amount|money:'GBP' }}]", amount=None) == "[]"
        assert render("{% load money %}[{{ missing|money:'GBP' }}]") == "[]"


def test_template_filter_refuses_a_float():
    with translation.override("en-gb"), pytest.raises(TypeError):
        render("{% load money %}{{ amount|money:'GBP' }}", amount=12.5)


def test_filter_needs_the_library():
    with pytest.raises(TemplateSyntaxError):
        Template("{{ amount|money:'GBP' }}")
