"""A patient asks for a log-in link by e-mail, opens it from the outbox message, sees their
appointments, cancels one, sees an invoice, downloads its receipt and downloads their whole
record: all at phone width."""

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import EntryKind
from sotclinic.messaging.models import Message
from sotclinic.portal.login_links import KIND
from sotclinic.scheduling.models import Appointment
from tests.api.fhir.validation import validated
from tests.billing.plan_setup import plan_clinic
from tests.factories import make_appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_patient_logs_in_by_link_cancels_a_visit_and_downloads_a_receipt(
    browser, live_server, screenshot, tmp_path
):
    cache.clear()  # link requests counted by earlier tests
    clinic = plan_clinic()
    patient = clinic.patient
    patient.email = "olivia.smith@example.com"
    patient.save()
    tz = clinic.location.tz
    day = timezone.now().astimezone(tz).date()
    starts = [
        dt.datetime.combine(day + dt.timedelta(days=d), dt.time(10), tzinfo=tz) for d in (3, 10)
    ]
    kept, cancelled = (
        make_appointment(clinic.practitioner, s, patient=patient, kind=clinic.kind) for s in starts
    )
    charge = ledger.post_entry(
        patient, kind=EntryKind.CHARGE, amount=4500, by=clinic.desk, code="98940"
    )
    invoice = invoices.issue_invoice(patient, [charge], by=clinic.desk)
    ledger.record_payment(patient, amount=4500, method="card", by=clinic.desk, invoice=invoice)

    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/")
        page.get_by_role(
            "link", name="Patients: log in to see and change your appointments"
        ).click()
        page.get_by_label("E-mail").fill("Olivia.Smith@example.com")
        page.get_by_role("button", name="E-mail me a log-in link").click()
        expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
        expect(page.locator(".brand")).to_have_text("Harbour Street Chiropractic")
        screenshot(page, "portal-link-sent-390", full_page=False)

        message = Message.objects.get(kind=KIND)
        assert message.to == ["olivia.smith@example.com"]
        link = re.search(r"http://\S+/portal/login/\S+/", message.body).group(0)
        page.goto(link)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Hello, Olivia")).to_be_visible()

        upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
        expect(upcoming.get_by_role("link")).to_have_count(2)
        expect(page.get_by_role("link", name=f"Invoice {invoice.number}")).to_be_visible()
        assert _fits_the_screen(page)
        shot = screenshot(page, "portal-home-390")
        assert shot.stat().st_size > 0

        upcoming.get_by_role("link").nth(1).click()
        expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
        assert _fits_the_screen(page)
        screenshot(page, "portal-appointment-390")
        page.get_by_role("button", name="Cancel appointment").click()
        expect(page.get_by_text("This appointment is cancelled.")).to_be_visible()
        assert Appointment.objects.get(pk=cancelled.pk).status == Appointment.Status.CANCELLED
        assert Appointment.objects.get(pk=kept.pk).status == Appointment.Status.BOOKED

        page.get_by_role("link", name="← Back to my page").click()
        expect(upcoming.get_by_role("link")).to_have_count(1)
        with page.expect_download() as download:
            page.get_by_role("link", name="Receipt", exact=True).click()
        saved = Path(tmp_path) / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name.startswith("receipt-RCP-") and saved.read_bytes().startswith(b"%PDF")
        screenshot(page, "portal-home-after-cancel-390")

        # The patient downloads their record: a ZIP of a FHIR Bundle and the record's PDF.
        page.get_by_role("link", name="All my documents").click()
        page.get_by_role("button", name="Download my record").click()
        screenshot(page, "portal-record-ready-390")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download my record (ZIP)").click()
        saved = Path(tmp_path) / download.value.suggested_filename
        download.value.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            bundle = validated(json.loads(archive.read("record.json")))
            assert bundle.type == "collection"
            assert f"Patient/{patient.pk}" in {
                f"Patient/{entry.resource.id}"
                for entry in bundle.entry
                if entry.resource.get_resource_type() == "Patient"
            }
            assert archive.read("record.pdf").startswith(b"%PDF")
        assert _fits_the_screen(page)
    finally:
        context.close()
