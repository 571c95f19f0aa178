"""The price list in the back office: prices typed in major units are stored in minor units of
the schedule's currency; a price with too many decimals or below zero is refused on its field."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.billing.models import Fee, FeeSchedule, MembershipPlan, PackageProduct, Service
from tests.billing.billing_factories import make_schedule, make_service, price
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))
    return client


def schedule_form(service, typed, currency="GBP", **extra):
    return {
        "name": "Main prices",
        "location": "",
        "currency": currency,
        "active": "on",
        "fees-TOTAL_FORMS": "1",
        "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "1000",
        "fees-0-service": str(service.pk),
        "fees-0-price": typed,
        **extra,
    }


def test_a_price_typed_in_pounds_is_stored_in_pence(admin_client):
    service = make_service("98940", "cpt")
    response = admin_client.post("/admin/billing/feeschedule/add/", schedule_form(service, "45.50"))
    assert response.status_code == 302
    assert Fee.objects.get(service=service).amount == 4550


def test_a_yen_price_has_no_decimals(admin_client):
    service = make_service()
    response = admin_client.post(
        "/admin/billing/feeschedule/add/", schedule_form(service, "4.5", "JPY")
    )
    assert response.status_code == 200
    assert "JPY amounts have at most 0 decimal places." in response.content.decode()
    assert not FeeSchedule.objects.exists()


@pytest.mark.parametrize(
    "typed, message", [("45.555", "at most 2 decimal places"), ("-1", "cannot be negative")]
)
def test_a_bad_price_is_refused_on_its_field_and_nothing_is_saved(admin_client, typed, message):
    service = make_service()
    response = admin_client.post("/admin/billing/feeschedule/add/", schedule_form(service, typed))
    assert response.status_code == 200 and message in response.content.decode()
    assert not FeeSchedule.objects.exists()


def test_an_existing_price_is_shown_in_major_units(admin_client):
    schedule = make_schedule("GBP")
    price(make_service(), 4550, schedule)
    page = admin_client.get(f"/admin/billing/feeschedule/{schedule.pk}/change/").content.decode()
    assert 'value="45.50"' in page


def test_packages_and_membership_plans_are_priced_in_major_units(admin_client):
    response = admin_client.post(
        "/admin/billing/packageproduct/add/",
        {
            "name": "Ten",
            "visits": "10",
            "price_major": "400.00",
            "currency": "EUR",
            "validity_days": "",
            "active": "on",
        },
    )
    assert response.status_code == 302 and PackageProduct.objects.get().price == 40000
    response = admin_client.post(
        "/admin/billing/membershipplan/add/",
        {"name": "Monthly", "fee_major": "39", "currency": "EUR", "active": "on"},
    )
    assert response.status_code == 302 and MembershipPlan.objects.get().monthly_fee == 3900
    plan = MembershipPlan.objects.get()
    page = admin_client.get(f"/admin/billing/membershipplan/{plan.pk}/change/").content.decode()
    assert 'value="39.00"' in page
    bad = admin_client.post(
        "/admin/billing/packageproduct/add/",
        {"name": "Bad", "visits": "1", "price_major": "1.001", "currency": "EUR", "active": "on"},
    )
    assert bad.status_code == 200 and "at most 2 decimal places" in bad.content.decode()


def test_an_existing_package_shows_its_price_in_major_units(admin_client):
    package = PackageProduct.objects.create(name="Ten", visits=10, price=40050, currency="GBP")

    page = admin_client.get(f"/admin/billing/packageproduct/{package.pk}/change/").content.decode()

    assert 'value="400.50"' in page


def test_a_membership_fee_with_too_many_decimals_is_refused_on_its_field(admin_client):
    response = admin_client.post(
        "/admin/billing/membershipplan/add/",
        {"name": "Monthly", "fee_major": "39.005", "currency": "GBP", "active": "on"},
    )

    assert response.status_code == 200
    assert "GBP amounts have at most 2 decimal places." in response.content.decode()
    assert not MembershipPlan.objects.exists()


def test_a_price_in_a_code_that_is_no_currency_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        "/admin/billing/packageproduct/add/",
        {"name": "Ten", "visits": "10", "price_major": "400", "currency": "ABC", "active": "on"},
    )

    assert response.status_code == 200
    assert "ABC is not a currency code." in response.content.decode()
    assert not PackageProduct.objects.exists()


def test_default_modifiers_that_are_no_list_are_refused_on_their_field(admin_client):
    response = admin_client.post(
        "/admin/billing/service/add/",
        {
            "name": "Manipulation",
            "code": "98940",
            "code_system": "cpt",
            "suggest_for": "",
            "default_modifiers": '"AT"',
            "default_units": "1",
            "tax_treatment": "exempt",
            "tax_rate": "0",
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "Modifiers are a list of two-character codes." in response.content.decode()
    assert not Service.objects.exists()
