"""Receipts, invoices and statements as PDF, read back with pypdf, and e-mailed through the
outbox with the PDF attached, in the patient's language."""

import base64
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.billing import documents, invoices, ledger
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import EntryKind
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import Location
from tests.factories import make_location, make_patient, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def _text(document: documents.Document) -> str:
    assert document.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(document.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def account():
    make_location(
        name="Bristol Spine Clinic", address="1 Park Row\nBristol BS1 5LJ", phone="0117 496 0000"
    )
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient(first_name="Ada", last_name="Lovelace", address="12 Queen Sq, Bath")
    charges = [
        ledger.post_entry(
            patient,
            kind=EntryKind.CHARGE,
            amount=4500,
            by=desk,
            occurred_on=DAY,
            code="98940",
            modifiers=["AT"],
            description="Spinal manipulation",
        ),
        ledger.post_entry(
            patient, kind=EntryKind.CHARGE, amount=3000, by=desk, occurred_on=DAY, code="97140"
        ),
    ]
    invoice = invoices.issue_invoice(patient, charges, by=desk, issued_on=DAY)
    payment = ledger.record_payment(
        patient,
        amount=5000,
        method="card",
        reference="slip 881",
        by=desk,
        invoice=invoice,
        occurred_on=DAY,
    )
    return desk, patient, invoice, payment


def test_a_receipt_names_the_practice_patient_amount_and_method(account):
    _, _, invoice, payment = account

    document = documents.receipt_pdf(payment)
    text = _text(document)

    for expected in (
        "Bristol Spine Clinic",
        "1 Park Row, Bristol BS1 5LJ",
        "Ada Lovelace",
        "Receipt",
        "£50.00",
        "Card (terminal)",
        "slip 881",
        invoice.number,
    ):
        assert expected in text
    number = payment.receipt.number
    assert number.startswith(f"RCP-{payment.occurred_on.year}-") and number in text
    assert document.filename == f"receipt-{number}.pdf"
    if shots := os.environ.get("LEDGER_SHOTS"):
        Path(shots, "receipt.pdf").write_bytes(document.content)


def test_an_invoice_pdf_lists_its_lines_total_paid_and_outstanding(account):
    _, _, invoice, _ = account

    text = _text(documents.invoice_pdf(invoice))

    for expected in (
        invoice.number,
        "98940 AT",
        "Spinal manipulation",
        "97140",
        "£45.00",
        "£30.00",
        "£75.00",
        "£50.00",
        "£25.00",
    ):
        assert expected in text
    if shots := os.environ.get("LEDGER_SHOTS"):
        Path(shots, "invoice.pdf").write_bytes(documents.invoice_pdf(invoice).content)


def test_a_statement_pdf_has_its_period_entries_and_balances(account):
    desk, patient, _, _ = account
    ledger.issue_credit(
        patient, amount=1000, by=desk, reason="Goodwill", occurred_on=DAY + dt.timedelta(days=40)
    )

    text = _text(
        documents.statement_pdf(invoices.statement(patient, DAY, DAY + dt.timedelta(days=30)))
    )

    assert "Opening balance" in text and "£0.00" in text
    assert "Closing balance" in text and "£25.00" in text
    assert "Goodwill" not in text


def test_a_receipt_is_only_for_a_payment_or_refund(account):
    desk, patient, invoice, _ = account
    with pytest.raises(BillingError, match="payments and refunds"):
        documents.receipt_pdf(invoice.lines.first().entry)
    refund = ledger.record_refund(patient, amount=100, method="cash", by=desk)
    assert "Refund receipt" in _text(documents.receipt_pdf(refund))


def test_a_document_goes_to_the_patient_by_e_mail_in_their_language(account):
    _, patient, invoice, _ = account
    patient.preferred_language = "de"
    patient.save()

    message = documents.email_document(
        patient, documents.invoice_pdf(invoice), kind="billing.invoice"
    )

    message = Message.objects.get(pk=message.pk)
    assert message.to == [patient.email] and message.patient == patient
    assert message.subject == f"Rechnung {invoice.number} von Bristol Spine Clinic"
    assert "Guten Tag Ada" in message.body
    [attachment] = message.attachments
    assert attachment["filename"] == f"invoice-{invoice.number}.pdf"
    assert attachment["mimetype"] == "application/pdf"
    pdf = base64.b64decode(attachment["content"])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rechnung" in text and "75,00" in text


def test_no_e_mail_without_an_address(account):
    _, patient, invoice, _ = account
    patient.email = ""
    patient.save()

    with pytest.raises(BillingError, match="no e-mail address"):
        documents.email_document(patient, documents.invoice_pdf(invoice), kind="billing.invoice")
    assert not Message.objects.exists()


def test_a_long_date_stays_in_its_column_clear_of_the_description(account):
    desk, patient, _, _ = account
    payment = ledger.record_payment(
        patient, amount=1000, method="card", by=desk, occurred_on=dt.date(2026, 9, 30)
    )

    content = documents.receipt_pdf(payment).content
    page = PdfReader(io.BytesIO(content)).pages[0]
    row = next(
        line
        for line in page.extract_text(extraction_mode="layout").splitlines()
        if "Payment" in line and "2026" in line
    )
    # Laid out as printed: the date ends before the description starts, with space between.
    assert "2026 " in row and "2026Payment" not in row


def test_a_document_of_a_clinic_without_a_location_names_no_practice(account):
    _, patient, _, _ = account
    Location.objects.all().delete()

    text = _text(documents.statement_pdf(invoices.statement(patient, DAY, DAY)))

    assert "Bristol Spine Clinic" not in text and "1 Park Row" not in text
    assert "Ada Lovelace" in text and "Closing balance" in text
