"""A practitioner prescribes a 12-visit care plan, the patient signs it on a tablet by drawing
with the mouse, front desk books it as a series, and the plan page shows the booked visits and
adherence. Real Chromium, live server; screenshots and the signed PDF under test-artifacts/."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from sotclinic.billing.models import CarePlan, CarePlanSignature
from sotclinic.scheduling.models import Appointment
from tests.billing.plan_setup import plan_clinic
from tests.conftest import ARTIFACTS
from tests.e2e.signature_pad import draw_signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prescribe_sign_on_a_tablet_and_book_a_care_plan(page, live_server, log_in, screenshot):
    clinic = plan_clinic()
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())

    page.set_default_timeout(30_000)  # two shared cores: a page may take a while
    # The practitioner prescribes the plan from the patient's page.
    log_in(page, clinic.practitioner.user.username)
    page.goto(f"{live_server.url}/staff/patients/{clinic.patient.pk}/")
    page.get_by_role("link", name="New care plan").click()
    page.get_by_label("Name", exact=True).fill("Corrective")
    page.get_by_label("First visit on or after").fill(monday.isoformat())
    page.get_by_label("Appointment type").select_option(label=str(clinic.kind))
    page.get_by_label("Phase 1: visits a week").fill("3")
    page.get_by_label("Phase 1: weeks").fill("2")
    page.get_by_label("Phase 2: visits a week").fill("2")
    page.get_by_label("Phase 2: weeks").fill("3")
    page.get_by_label("Re-exam at visits").fill("12")
    page.get_by_label("Adjustment").check()
    page.get_by_label("Goal 1: questionnaire").select_option("nprs")
    page.get_by_label("Goal 1: target score").fill("3")
    page.get_by_role("button", name="Save the plan as a draft").click()
    expect(page.get_by_role("heading", name="Corrective")).to_be_visible()
    expect(page.locator("pre.plan-document")).to_contain_text("Planned visits: 12")
    page.get_by_role("button", name="Propose to the patient").click()
    page.get_by_role("button", name="Sign on the tablet").click()

    # The patient signs on the tablet.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(page.get_by_role("heading", name="Your care plan")).to_be_visible()
    page.get_by_label("Your full name").fill("Olivia Smith")
    pad = page.locator(".signature-surface")
    box = pad.bounding_box()
    assert box["width"] > 500  # the pad spans the tablet's width
    draw_signature(page, pad)
    expect(pad.locator("path")).to_have_count(2)
    screenshot(page, "care-plan-signing-tablet", full_page=False)
    page.get_by_role("button", name="I accept and sign this plan").click()
    expect(page.get_by_role("heading", name="Thank you, the plan is signed")).to_be_visible()
    signature = CarePlanSignature.objects.get()
    assert signature.full_name == "Olivia Smith"
    assert signature.signature_svg.count("<path ") == 2

    # Front desk books the plan as a series.
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "frontdesk")
    plan = CarePlan.objects.get()
    page.goto(f"{live_server.url}/staff/care-plans/{plan.pk}/")
    expect(page.locator("[data-plan-status]")).to_have_text("Accepted")
    page.get_by_role("link", name="Book the visits").click()
    page.get_by_label("From").fill(monday.isoformat())
    page.get_by_label("Time").fill("09:30")
    for name, days in (("weekdays1", "024"), ("weekdays2", "03")):
        for day in days:
            page.locator(f"input[name={name}][value='{day}']").check()
    page.get_by_role("button", name="Check the times").click()
    expect(page.locator(".series-plan li")).to_have_count(12)
    page.get_by_role("button", name="Book the series").click()
    expect(page.get_by_text("12 appointments booked.")).to_be_visible()
    expect(page.locator("[data-plan-status]")).to_have_text("Active")
    expect(page.locator(".plan-visits tbody tr")).to_have_count(12)
    expect(page.locator("[data-adherence=remaining]").first).to_have_text("12")
    expect(page.locator("[data-adherence=upcoming]").first).to_have_text("12")
    expect(page.locator(".plan-visits")).not_to_contain_text("not booked")
    assert Appointment.objects.filter(patient=clinic.patient).count() == 12
    assert not plan.visits.filter(appointment__isnull=True).exists()
    screenshot(page, "care-plan-page")

    pdf = page.request.get(f"{live_server.url}/staff/care-plans/{plan.pk}/signed.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "care-plan-signed.pdf").write_bytes(pdf.body())
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "Signed by: Olivia Smith" in text and signature.document_sha256 in text
