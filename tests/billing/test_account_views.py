"""The patient's account page: front desk and practitioners take payments, refunds, credit
notes and reversals, issue invoices and get PDFs; patients are refused; every view writes an
access-log row; bad input is answered with a message and changes nothing."""

import io

import pytest
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import Account, EntryKind, Invoice, LedgerEntry
from sotclinic.messaging.models import Message
from tests.factories import make_location, make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


@pytest.fixture
def patient(desk):
    make_location(name="Bristol Spine Clinic")
    patient = make_patient(first_name="Ada")
    ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=desk, code="98940")
    return patient


def _url(patient, name="", *args):
    base = f"/staff/patients/{patient.pk}/account/"
    return base + name


def _balance(patient) -> int:
    account = Account.objects.get(patient=patient)
    assert account.balance == ledger.entries_total(account)
    return account.balance


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRACTITIONER])
def test_staff_see_the_balance_and_entries_and_the_view_is_logged(login, patient, role):
    response = login(make_user(role)).get(_url(patient))

    assert response.status_code == 200
    html = response.content.decode()
    assert "£45.00" in html and "98940" in html and "Take a payment" in html
    assert AccessLog.objects.filter(patient=patient, action=Action.VIEW_ACCOUNT).count() == 1


def test_the_patient_page_shows_the_balance_and_links_the_account(login, desk, patient):
    html = login(desk).get(f"/staff/patients/{patient.pk}/").content.decode()

    assert "£45.00" in html and _url(patient) in html


def test_patients_are_refused_every_account_page(login, patient):
    client = login(make_user(Role.PATIENT))
    charge = LedgerEntry.objects.get()

    assert client.get(_url(patient)).status_code == 403
    assert (
        client.post(
            _url(patient, "payment/"), {"payment-amount": "1", "payment-method": "cash"}
        ).status_code
        == 403
    )
    assert client.get(_url(patient, f"entries/{charge.pk}/reverse/")).status_code == 403
    assert client.get(_url(patient, "statement.pdf")).status_code == 403
    assert LedgerEntry.objects.count() == 1


def test_a_payment_in_major_units_is_recorded_in_minor_units(login, desk, patient):
    invoice = invoices.issue_invoice(patient, [LedgerEntry.objects.get()], by=desk)

    response = login(desk).post(
        _url(patient, "payment/"),
        {
            "payment-amount": "40.50",
            "payment-method": "card",
            "payment-reference": "slip 1",
            "payment-invoice": invoice.pk,
        },
    )

    assert response.status_code == 302
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert (payment.amount, payment.invoice, payment.created_by) == (-4050, invoice, desk)
    assert _balance(patient) == 450
    assert invoices.invoice_outstanding(invoice) == 450
    assert AccessLog.objects.filter(
        patient=patient, action=Action.POST_TO_ACCOUNT, detail="payment"
    ).exists()


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "This field is required"),
        ("abc", "such as 12.50"),
        ("12.345", "at most 2 decimal places"),
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("NaN", "such as 12.50"),
        ("1e20", "too large"),
    ],
)
def test_a_bad_amount_is_explained_and_changes_nothing(login, desk, patient, amount, message):
    response = login(desk).post(
        _url(patient, "payment/"), {"payment-amount": amount, "payment-method": "cash"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert LedgerEntry.objects.count() == 1 and _balance(patient) == 4500


def test_a_payment_naming_another_patients_invoice_is_refused(login, desk, patient):
    other = make_patient()
    charge = ledger.post_entry(other, kind=EntryKind.CHARGE, amount=100, by=desk)
    invoice = invoices.issue_invoice(other, [charge], by=desk)

    response = login(desk).post(
        _url(patient, "payment/"),
        {"payment-amount": "1", "payment-method": "cash", "payment-invoice": invoice.pk},
    )

    assert response.status_code == 400
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_refund_and_credit_note(login, desk, patient):
    client = login(desk)

    assert (
        client.post(
            _url(patient, "refund/"), {"refund-amount": "5", "refund-method": "cash"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            _url(patient, "credit/"), {"credit-amount": "10", "credit-reason": "Goodwill"}
        ).status_code
        == 302
    )
    response = client.post(_url(patient, "credit/"), {"credit-amount": "10", "credit-reason": ""})

    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert _balance(patient) == 4500 + 500 - 1000


def test_reverse_an_entry_with_a_reason(login, desk, patient):
    charge = LedgerEntry.objects.get()
    client = login(desk)
    url = _url(patient, f"entries/{charge.pk}/reverse/")

    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Billed twice"}).status_code == 302
    again = client.post(url, {"reason": "Again"})

    assert again.status_code == 400 and "already been reversed" in again.content.decode()
    assert _balance(patient) == 0
    other = make_patient()
    foreign = ledger.post_entry(other, kind=EntryKind.CHARGE, amount=1, by=desk)
    assert client.get(_url(patient, f"entries/{foreign.pk}/reverse/")).status_code == 404


def test_issue_an_invoice_for_ticked_entries_then_get_its_pdf(login, desk, patient):
    second = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=3000, by=desk)
    client = login(desk)

    response = client.post(
        _url(patient, "invoices/"), {"invoice-entries": [LedgerEntry.objects.first().pk, second.pk]}
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.total == 7500
    refused = client.post(_url(patient, "invoices/"), {"invoice-entries": [second.pk]})
    assert refused.status_code == 400 and Invoice.objects.count() == 1
    assert client.post(_url(patient, "invoices/"), {}).status_code == 400

    pdf = client.get(_url(patient, f"invoice/{invoice.pk}.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert invoice.number in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert (
        AccessLog.objects.filter(patient=patient, action=Action.VIEW_BILLING_DOCUMENT).count() == 1
    )
    assert client.get(_url(patient, f"bogus/{invoice.pk}.pdf")).status_code == 404


def test_receipt_and_statement_pdfs_and_e_mail(login, desk, patient):
    payment = ledger.record_payment(patient, amount=1000, method="cash", by=desk)
    client = login(desk)

    receipt = client.get(_url(patient, f"receipt/{payment.pk}.pdf"))
    assert "£10.00" in PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
    charge = LedgerEntry.objects.filter(kind=EntryKind.CHARGE).get()
    assert client.get(_url(patient, f"receipt/{charge.pk}.pdf")).status_code == 404

    assert client.post(_url(patient, f"receipt/{payment.pk}/email/")).status_code == 302
    today = payment.occurred_on.isoformat()
    statement = client.post(
        _url(patient, "statement.pdf"), {"statement-start": today, "statement-end": today}
    )
    assert "Closing balance" in PdfReader(io.BytesIO(statement.content)).pages[0].extract_text()
    bad = client.get(
        _url(patient, "statement.pdf"), {"statement-start": today, "statement-end": "2000-01-01"}
    )
    assert bad.status_code == 400
    this_month = client.get(_url(patient, "statement.pdf"))
    assert "£35.00" in PdfReader(io.BytesIO(this_month.content)).pages[0].extract_text()
    assert (
        client.post(
            _url(patient, "statement/email/"), {"statement-start": today, "statement-end": today}
        ).status_code
        == 302
    )

    assert [m.attachments[0]["filename"].split("-")[0] for m in Message.objects.order_by("pk")] == [
        "receipt",
        "statement",
    ]
    assert (
        AccessLog.objects.filter(patient=patient, action=Action.EMAIL_BILLING_DOCUMENT).count() == 2
    )


def test_e_mail_refusals_are_told_and_queue_nothing(login, desk, patient):
    client = login(desk)
    bad_dates = {"statement-start": "2026-03-02", "statement-end": "2026-03-01"}

    response = client.post(_url(patient, "statement/email/"), bad_dates, follow=True)
    assert "first and last day" in response.content.decode()
    patient.email = ""
    patient.save()
    response = client.post(_url(patient, "statement/email/"), follow=True)
    assert "no e-mail address" in response.content.decode()

    assert not Message.objects.exists()
    assert not AccessLog.objects.filter(action=Action.EMAIL_BILLING_DOCUMENT).exists()
