"""A patient signs the clinic's consent in the portal by drawing with the mouse and downloads
the signed PDF; a practitioner uploads a PDF to the patient's documents, and a program renamed
to .pdf is refused. Real Chromium, live server; screenshots under test-artifacts/."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.documents import services
from sotclinic.documents.models import ConsentSignature, Document
from tests.documents.files import EXE, pdf_bytes
from tests.e2e.signature_pad import draw_signature
from tests.factories import make_patient, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_signs_a_consent_in_the_portal_and_downloads_it(
    page, live_server, log_in, screenshot
):
    user = make_user(Role.PATIENT, username="olivia")
    patient = make_patient(user=user, first_name="Olivia", last_name="Smith")
    services.save_consent_form(
        None,
        title="Consent to examination and care",
        text="I agree to be examined and to the care we discussed. I may stop at any time.",
        active=True,
    )
    page.set_default_timeout(30_000)

    log_in(page, "olivia", lands_on=None, then="/portal/documents/")
    page.wait_for_url(f"{live_server.url}/portal/documents/")
    page.get_by_role("link", name="Read and sign: Consent to examination and care").click()
    expect(page.locator("pre.signing-document")).to_contain_text("I may stop at any time.")
    page.get_by_label("Your full name").fill("Olivia Smith")
    pad = page.locator(".signature-surface")
    draw_signature(page, pad)
    expect(pad.locator("path")).to_have_count(2)
    screenshot(page, "consent-signing-portal")
    page.get_by_role("button", name="I agree and sign").click()
    expect(page.get_by_text("Thank you, the consent is signed.")).to_be_visible()
    expect(page.get_by_text("Nothing to sign.")).to_be_visible()
    screenshot(page, "portal-documents")

    with page.expect_download() as download:
        page.get_by_role("link", name="Consent to examination and care").click()
    data = Path(download.value.path()).read_bytes()
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    signature = ConsentSignature.objects.get()
    assert signature.patient == patient and signature.channel == "portal"
    assert signature.signature_svg.count("<path ") == 2
    assert "Signed by: Olivia Smith" in words
    assert signature.document_sha256 in words.replace("\n", "")


def test_staff_upload_a_pdf_and_a_renamed_program_is_refused(
    page, live_server, log_in, screenshot, tmp_path
):
    doctor = make_user(Role.PRACTITIONER, username="anna")
    patient = make_patient(first_name="Olivia", last_name="Smith")
    report = tmp_path / "mri-report.pdf"
    report.write_bytes(pdf_bytes("MRI lumbar spine"))
    program = tmp_path / "setup.pdf"
    program.write_bytes(EXE)
    page.set_default_timeout(30_000)

    log_in(page, doctor.username)
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Documents", exact=True).click()
    expect(page.get_by_role("heading", name="Documents of Olivia Smith")).to_be_visible()
    page.get_by_label("File (PDF, PNG or JPEG)").set_input_files(str(report))
    page.get_by_label("Kind").first.select_option(label="Imaging report")
    page.get_by_label("Title").first.fill("MRI lumbar spine")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Document kept.")).to_be_visible()
    expect(page.get_by_role("cell", name="MRI lumbar spine")).to_be_visible()

    page.get_by_label("File (PDF, PNG or JPEG)").set_input_files(str(program))
    page.get_by_label("Kind").first.select_option(label="Scanned form")
    page.get_by_label("Title").first.fill("Setup")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("This file is not a PDF, PNG or JPEG file")).to_be_visible()
    screenshot(page, "documents-upload-refused")

    assert list(Document.objects.values_list("title", flat=True)) == ["MRI lumbar spine"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).read_bytes() == report.read_bytes()
