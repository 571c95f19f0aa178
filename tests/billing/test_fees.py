"""The fee lookup: the location's own active schedule in the currency, else the clinic-wide one,
else a refusal naming the service; and amounts typed in major units."""

from decimal import Decimal

import pytest

from sotclinic.billing.amounts import to_major, to_minor
from sotclinic.billing.errors import BillingError
from sotclinic.billing.fees import NoFee, fee_for
from tests.billing.billing_factories import make_schedule, make_service, price
from tests.factories import make_location

pytestmark = pytest.mark.django_db


def test_the_locations_own_schedule_wins_over_the_clinic_wide_one():
    service, town = make_service("98940", "cpt"), make_location()
    price(service, 4000, make_schedule("GBP"))
    price(service, 4500, make_schedule("GBP", location=town))
    assert fee_for(service, location=town, currency="GBP").amount == 4500


def test_a_location_without_its_own_price_uses_the_clinic_wide_schedule():
    service, town, other = make_service(), make_location(), make_location()
    price(service, 4000, make_schedule("GBP"))
    price(make_service(), 9999, make_schedule("GBP", location=town))
    assert fee_for(service, location=town, currency="GBP").amount == 4000
    assert fee_for(service, location=other, currency="GBP").amount == 4000
    assert fee_for(service, location=None, currency="GBP").amount == 4000


def test_a_walk_in_without_a_location_never_takes_a_locations_price():
    service, town = make_service(), make_location()
    price(service, 4500, make_schedule("GBP", location=town))
    with pytest.raises(NoFee):
        fee_for(service, location=None, currency="GBP")


def test_inactive_schedules_and_other_currencies_are_not_used():
    service, town = make_service(name="Adjustment"), make_location()
    price(service, 4500, make_schedule("GBP", location=town, active=False))
    price(service, 5000, make_schedule("EUR", location=town))
    with pytest.raises(NoFee, match="Adjustment has no price in GBP for"):
        fee_for(service, location=town, currency="GBP")
    assert fee_for(service, location=town, currency="EUR").amount == 5000


def test_no_price_anywhere_is_refused_with_a_message_naming_the_service():
    service = make_service("98941", "cpt", name="Spinal manipulation, 3–4 regions")
    with pytest.raises(NoFee) as refused:
        fee_for(service, location=None, currency="USD")
    assert "98941 Spinal manipulation, 3–4 regions has no price in USD" in refused.value.message


@pytest.mark.parametrize(
    "typed, currency, minor",
    [
        ("45", "GBP", 4500),
        ("45.5", "GBP", 4550),
        ("0.01", "EUR", 1),
        ("500", "JPY", 500),
        (Decimal("1.234"), "BHD", 1234),
    ],
)
def test_amounts_typed_in_major_units_are_stored_in_minor_units(typed, currency, minor):
    assert to_minor(typed, currency) == minor
    assert to_minor(to_major(minor, currency), currency) == minor


@pytest.mark.parametrize("typed", ["45.555", "abc", "NaN", "Infinity", ""])
def test_amounts_with_too_many_decimals_or_no_number_are_refused(typed):
    with pytest.raises(BillingError):
        to_minor(typed, "GBP")


def test_to_major_shows_the_currencys_decimals():
    assert str(to_major(4500, "GBP")) == "45.00"
    assert str(to_major(500, "JPY")) == "500"
