"""Front desk opens a patient's account from the patient page, issues an invoice for a charge,
takes a payment against it (a mistyped amount first), and opens the receipt."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.billing import ledger
from sotclinic.billing.models import Account, EntryKind
from tests.factories import make_location, make_patient, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_invoices_a_charge_and_takes_a_payment(log_in, page, live_server, screenshot):
    make_location(name="Harbour Street Chiropractic", address="1 Harbour Street\nBristol")
    desk = make_user(Role.FRONT_DESK, username="frontdesk")
    patient = make_patient(first_name="Olivia", last_name="Hartley")
    ledger.post_entry(
        patient, kind=EntryKind.CHARGE, amount=4500, by=desk, code="98940", modifiers=["AT"]
    )
    ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=3000, by=desk, code="97140")

    log_in(page, "frontdesk")
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Account").first.click()
    expect(page.get_by_role("heading", name="Account · Olivia Hartley")).to_be_visible()
    expect(page.locator(".account-balance")).to_contain_text("£75.00")

    for box in page.get_by_label("Invoice this entry").all():
        box.check()
    page.get_by_role("button", name="Issue an invoice for the ticked entries").click()
    expect(page.get_by_text("Invoice INV-")).to_be_visible()

    page.get_by_label("Amount").first.fill("12.345")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("GBP amounts have at most 2 decimal places.")).to_be_visible()
    page.get_by_label("Amount").first.fill("50")
    page.get_by_label("Method").first.select_option("card")
    page.get_by_label("Reference").first.fill("slip 881")
    page.get_by_label("Invoice", exact=True).select_option(index=1)
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    expect(page.locator(".account-balance")).to_contain_text("£25.00")
    assert Account.objects.get(patient=patient).balance == 2500
    screenshot(page, "patient-account-desktop")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot(page, "patient-account-390")
