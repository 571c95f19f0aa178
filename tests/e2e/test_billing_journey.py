"""The whole billing journey of a US clinic in real Chromium: a practitioner prescribes a
12-visit care plan, the patient signs it on a tablet, front desk books it as a series, the
practitioner charts and signs the first visit, front desk posts its suggested charges, takes a
card payment and downloads the superbill, a receipt and the signed plan (kept under
test-artifacts/ for a person to look at)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.billing.catalogue import load_services
from sotclinic.billing.models import Account, CarePlan, EntryKind, LedgerEntry, Service
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.billing.billing_factories import make_schedule, price, set_clinic_currency
from tests.conftest import ARTIFACTS
from tests.e2e.signature_pad import draw_signature
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEES = {"98940": 4500, "98941": 5500, "98942": 6500, "98943": 3000}
PRACTICE_NPI, PROVIDER_NPI = "1234567893", "1245319599"


def _clinic_zone() -> str:
    """A US zone where it is not yet 23:00, so the first visit fits into today."""
    for zone in ("America/New_York", "America/Los_Angeles"):
        if timezone.now().astimezone(ZoneInfo(zone)).hour < 23:
            return zone
    raise AssertionError("unreachable: the two zones are three hours apart")


def _us_clinic():
    set_clinic_currency("USD")  # and US billing codes
    settings = ClinicSettings.load()
    settings.diagnosis_codes = "icd10cm"
    settings.npi, settings.tax_id = PRACTICE_NPI, "12-3456789"
    settings.language, settings.phone_region, settings.first_day_of_week = "en-us", "US", 0
    settings.date_order = settings.dob_order = "MDY"
    settings.save()
    location = make_location(
        name="Lakeside Chiropractic",
        address="200 Lake Street\nMadison, WI 53703",
        time_zone=_clinic_zone(),
    )
    doctor = make_open_practitioner(
        location, "00:00", "23:59", display_name="Dr. Anna Weber", npi=PROVIDER_NPI
    )
    kind = make_appointment_type([doctor], name="Adjustment", duration_minutes=20, buffer_minutes=0)
    load_services()
    schedule = make_schedule("USD", name="Standard")
    for code, amount in FEES.items():
        price(Service.objects.get(code_system="cpt", code=code), amount, schedule)
    patient = make_patient(
        first_name="Olivia", last_name="Smith", date_of_birth=dt.date(1985, 4, 2)
    )
    make_user(Role.FRONT_DESK, username="frontdesk")
    return location, doctor, kind, patient


def _save_pdf(page, url: str, name: str) -> str:
    """Fetch a PDF with the page's session, keep it under test-artifacts/, return its text."""
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(response.body())
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def test_a_care_plan_from_prescription_to_superbill(page, browser, live_server, log_in, screenshot):
    location, doctor, kind, patient = _us_clinic()
    now = timezone.now().astimezone(location.tz)
    today = now.date()
    # The first visit later today, on the 5-minute grid the time field steps by.
    first_at = (now + dt.timedelta(minutes=15)).replace(second=0, microsecond=0)
    first_at -= dt.timedelta(minutes=first_at.minute % 5)
    page.set_default_timeout(30_000)  # two shared cores: a page may take a while

    # 1. The practitioner prescribes the plan: today's first visit, then three weeks of
    # three visits and a week of two.
    log_in(page, doctor.user.username)
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="New care plan").click()
    page.get_by_label("Name", exact=True).fill("Corrective care")
    page.get_by_label("First visit on or after").fill(today.isoformat())
    page.get_by_label("Appointment type").select_option(label=str(kind))
    for n, (per_week, weeks) in enumerate(((1, 1), (3, 3), (2, 1)), start=1):
        page.get_by_label(f"Phase {n}: visits a week").fill(str(per_week))
        page.get_by_label(f"Phase {n}: weeks").fill(str(weeks))
    page.get_by_label("Re-exam at visits").fill("12")
    page.get_by_label("Spinal manipulation, 3–4 regions").check()
    page.get_by_role("button", name="Save the plan as a draft").click()
    expect(page.get_by_role("heading", name="Corrective care")).to_be_visible()
    expect(page.locator("pre.plan-document")).to_contain_text("Planned visits: 12")
    expect(page.locator("pre.plan-document")).to_contain_text("12 visits at $55.00 = $660.00")
    page.get_by_role("button", name="Propose to the patient").click()
    page.get_by_role("button", name="Sign on the tablet").click()

    # 2. The patient signs on a tablet-sized screen by drawing with the mouse.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(page.get_by_role("heading", name="Your care plan")).to_be_visible()
    page.get_by_label("Your full name").fill("Olivia Smith")
    pad = page.locator(".signature-surface")
    draw_signature(page, pad)
    expect(pad.locator("path")).to_have_count(2)
    page.get_by_role("button", name="I accept and sign this plan").click()
    expect(page.get_by_role("heading", name="Thank you, the plan is signed")).to_be_visible()
    plan = CarePlan.objects.get(patient=patient)

    # 3. Front desk books the plan as a series.
    # Handing the tablet over logged the practitioner out; front desk works at its own desk.
    page.set_viewport_size({"width": 1280, "height": 800})
    desk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.set_default_timeout(30_000)
    log_in(desk, "frontdesk")
    desk.goto(f"{live_server.url}/staff/care-plans/{plan.pk}/")
    desk.get_by_role("link", name="Book the visits").click()
    desk.get_by_label("From").fill(today.isoformat())
    desk.get_by_label("Time").fill(first_at.strftime("%H:%M"))
    desk.locator(f"input[name=weekdays1][value='{today.weekday()}']").check()
    for name, days in (("weekdays2", "024"), ("weekdays3", "13")):
        for day in days:
            desk.locator(f"input[name={name}][value='{day}']").check()
    desk.get_by_role("button", name="Check the times").click()
    expect(desk.locator(".series-plan li")).to_have_count(12)
    expect(desk.locator(".series-plan li.conflict")).to_have_count(0)
    desk.get_by_role("button", name="Book the series").click()
    expect(desk.get_by_text("12 appointments booked.")).to_be_visible()
    expect(desk.locator("[data-plan-status]")).to_have_text("Active")
    booked = Appointment.objects.filter(patient=patient).order_by("start")
    assert booked.count() == 12 and len({a.series_id for a in booked}) == 1
    assert booked[0].start == first_at

    # 4. The practitioner opens the first visit from today's list, charts three spinal regions
    # and an extremity with two ICD-10-CM codes, and signs the note.
    log_in(page, doctor.user.username)
    page.get_by_role("region", name="Dr. Anna Weber").get_by_role(
        "button", name="Start visit"
    ).click()
    page.wait_for_url(f"{live_server.url}/staff/visits/*/")
    page.get_by_label("Complaints").fill("Low back and neck pain, right shoulder stiff")
    for query, code in (("low back", "M54.50"), ("M99.03", "M99.03")):
        page.get_by_label("Search codes").fill(query)
        page.locator("#dx-results").get_by_text(code, exact=True).click()
        expect(page.locator("#dx-selected")).to_contain_text(code)
    for region in ("Cervical", "Thoracic", "Lumbar", "Upper extremity"):
        page.get_by_label(region, exact=True).check()
    expect(page.get_by_text("4 regions")).to_be_visible()
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    visit = booked[0].visit

    # 5. Front desk reviews the suggested charges and posts them.
    desk.get_by_role("link", name="Charges").first.click()
    desk.get_by_role("row").filter(has_text="Olivia Smith").get_by_role("link").first.click()
    desk.wait_for_url(f"{live_server.url}/staff/visits/{visit.pk}/charges/")
    expect(desk.locator("ol.diagnoses")).to_contain_text("M54.50")
    lines = desk.locator("tr.charge-open")
    expect(lines).to_have_count(2)
    codes = {d.code: d for d in visit.charge_drafts.all()}
    assert set(codes) == {"98941", "98943"}
    assert codes["98941"].modifiers == ["AT"]  # in active care: the patient follows the plan
    assert codes["98941"].diagnosis_pointers and codes["98943"].diagnosis_pointers
    assert all(p in (1, 2) for d in codes.values() for p in d.diagnosis_pointers)
    for code, draft in codes.items():
        row = desk.locator(f"#charge-{draft.pk}")
        expect(row.locator(f"#id_d{draft.pk}-code")).to_have_value(code)
        expect(row.locator(f"#id_d{draft.pk}-pointers")).not_to_have_value("")
    screenshot(desk, "billing-journey-charges")
    desk.get_by_role("button", name="Post all open lines").click()
    expect(desk.locator("tr.charge-posted")).to_have_count(2)
    account = Account.objects.get(patient=patient)
    assert account.balance == FEES["98941"] + FEES["98943"]

    # 6. Front desk takes a card payment on the patient's account desk.
    desk.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    desk.get_by_role("link", name="Account").first.click()
    expect(desk.locator(".account-balance")).to_contain_text("$85.00")
    desk.get_by_label("Amount").first.fill("60.00")
    desk.get_by_label("Method").first.select_option("card")
    desk.get_by_label("Reference").first.fill("terminal slip 4411")
    desk.get_by_role("button", name="Record payment").click()
    expect(desk.get_by_text("Payment recorded.")).to_be_visible()
    expect(desk.locator(".account-balance")).to_contain_text("$25.00")
    screenshot(desk, "billing-journey-account")
    payment = LedgerEntry.objects.get(account=account, kind=EntryKind.PAYMENT)
    assert payment.amount == -6000 and payment.method == "card"

    # 7. The superbill for the period, the receipt and the signed plan.
    desk.get_by_role("link", name="Reports").click()
    desk.get_by_role("link", name="Superbill").click()
    desk.get_by_label("Find the patient").fill("smith")
    desk.get_by_role("button", name="Search").click()
    desk.get_by_role("link", name="Smith, Olivia").click()
    desk.get_by_label("From").fill((today - dt.timedelta(days=30)).isoformat())
    desk.get_by_label("To").fill(today.isoformat())
    screenshot(desk, "billing-journey-superbill-form")
    with desk.expect_download() as download:
        desk.get_by_role("button", name="Download PDF").click()
    superbill = download.value.path().read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "billing-journey-superbill.pdf").write_bytes(superbill)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(superbill)).pages)
    for expected in ("98941", "98943", "M54.50", "M99.03", PRACTICE_NPI, PROVIDER_NPI):
        assert expected in text, expected
    for amount in ("$55.00", "$30.00", "$85.00", "$60.00", "$25.00"):
        assert amount in text, amount

    desk.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    desk.get_by_role("link", name="Account").first.click()
    receipt_url = desk.get_by_role("link", name="Receipt").first.get_attribute("href")
    receipt = _save_pdf(desk, live_server.url + receipt_url, "billing-journey-receipt.pdf")
    assert "$60.00" in receipt

    desk.goto(f"{live_server.url}/staff/care-plans/{plan.pk}/")
    signed_url = desk.get_by_role("link", name="Signed plan (PDF)").get_attribute("href")
    signed = _save_pdf(desk, live_server.url + signed_url, "billing-journey-signed-plan.pdf")
    assert "Signed by: Olivia Smith" in signed and plan.signature.document_sha256 in signed
