"""Front desk reads the practice reports and downloads a superbill in real Chromium."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.billing import ledger
from sotclinic.billing.models import EntryKind
from tests.factories import (
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_reads_the_reports_and_downloads_a_superbill(
    log_in, page, live_server, screenshot
):
    location = make_location(name="Harbour Street Chiropractic", address="1 Harbour Street")
    doctor = make_practitioner(location, display_name="Dr. Anna Weber")
    desk = make_user(Role.FRONT_DESK, username="frank")
    today = timezone.localdate()
    for n in range(8):
        patient = make_patient(first_name="Olivia", last_name=f"Smith{n}")
        visit = make_visit(doctor, patient)
        sign_visit(visit, diagnosis_codes=["M54.50", "M99.03"])
        for months_ago in range(n + 1):
            ledger.post_entry(
                patient,
                kind=EntryKind.CHARGE,
                amount=4500 + 500 * n,
                by=desk,
                occurred_on=today - dt.timedelta(days=31 * months_ago),
                visit=visit,
                practitioner=doctor,
                location=location,
                code="98941",
                code_system="cpt",
                modifiers=["AT"],
                diagnosis_pointers=[1, 2],
            )
        if n % 2:
            ledger.record_payment(patient, amount=4500, method="card", by=desk)

    log_in(page, "frank")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Revenue", exact=True)).to_be_visible()
    chart = page.locator("img.chart")
    expect(chart).to_be_visible()
    # The chart is drawn by its own request; wait until the browser has decoded it.
    page.wait_for_function(
        "() => { const i = document.querySelector('img.chart'); "
        "return i.complete && i.naturalWidth > 0; }",
        timeout=30_000,
    )
    screenshot(page, "reports-revenue")

    page.get_by_role("link", name="Receivables ageing").click()
    expect(page.get_by_role("link", name="Smith7, Olivia")).to_be_visible()
    screenshot(page, "reports-receivables")

    page.get_by_role("link", name="No-show rates").click()
    expect(page.locator("img.chart")).to_be_visible()

    page.get_by_role("link", name="Superbill").click()
    page.get_by_label("Find the patient").fill("smith3")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Smith3, Olivia").click()
    page.get_by_label("From").fill((today - dt.timedelta(days=200)).isoformat())
    screenshot(page, "superbill-form")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename.startswith("superbill-")
