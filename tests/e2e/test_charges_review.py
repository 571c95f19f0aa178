"""Front desk reviews the charges a signed visit suggested, corrects one, posts the visit paid
with the patient's package, and sees the package's visits left: in a real browser."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.billing import packages
from sotclinic.billing.models import Account, PackageProduct
from tests.billing.billing_factories import make_schedule, make_service, price, set_clinic_currency
from tests.factories import make_user, make_visit, sign_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_reviews_and_posts_a_visits_charges_with_a_package(
    log_in, page, live_server, screenshot
):
    set_clinic_currency("USD")
    schedule = make_schedule("USD")
    for code, amount in [("98941", 5500), ("98943", 3000), ("99213", 9000)]:
        price(make_service(code, "cpt", name=f"Line {code}"), amount, schedule)
    desk = make_user(Role.FRONT_DESK, username="fiona")
    visit = make_visit()
    sign_visit(
        visit,
        adjustment_regions=["cervical", "thoracic", "lumbar", "head"],
        diagnosis_codes=["M54.50", "M99.04"],
    )
    product = PackageProduct.objects.create(
        name="Ten visits", visits=10, price=80000, currency="USD"
    )
    packages.sell_package(visit.patient, product, by=desk)

    log_in(page, "fiona")
    page.get_by_role("link", name="Charges").first.click()
    page.get_by_role("link", name=visit.started_at.strftime("%Y-%m-%d")).first.click()
    page.wait_for_url(f"{live_server.url}/staff/visits/{visit.pk}/charges/")
    line = visit.charge_drafts.get(code="98943")
    page.get_by_label("Amount").and_(page.locator(f"#id_d{line.pk}-amount")).fill("25.00")
    page.locator(f"#charge-{line.pk}").get_by_role("button", name="Save").click()
    page.get_by_text("The charge was saved.").wait_for()
    page.get_by_label("Pay with package").select_option(label="Ten visits (10 left)")
    screenshot(page, "charges-before-post")
    page.get_by_role("button", name="Post all open lines").click()
    page.get_by_text("The charges were posted and paid with the package.").wait_for()
    screenshot(page, "charges-posted")
    assert Account.objects.get(patient=visit.patient).balance == 80000
    assert sorted(visit.charge_drafts.values_list("status", flat=True)) == ["posted", "posted"]
    page.goto(f"{live_server.url}/staff/patients/{visit.patient.pk}/")
    page.get_by_text("Ten visits: 9 of 10 visits left").wait_for()
