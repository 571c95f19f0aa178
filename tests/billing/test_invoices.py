"""Invoices list uninvoiced entries and total them; payments may name one and it shows what is
paid and outstanding; statements give the entries between two dates and the balances."""

import datetime as dt

import pytest

from sotclinic.accounts.models import Role
from sotclinic.billing import invoices, ledger
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import EntryKind, Invoice, InvoiceLine
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


def _charge(patient, desk, amount, occurred_on=DAY, **fields):
    return ledger.post_entry(
        patient, kind=EntryKind.CHARGE, amount=amount, by=desk, occurred_on=occurred_on, **fields
    )


def test_an_invoice_groups_charges_credits_and_reversals_and_totals_them(desk):
    patient = make_patient()
    first = _charge(patient, desk, 4500, code="98940")
    second = _charge(patient, desk, 3000, code="97140")
    credit = ledger.issue_credit(patient, amount=500, by=desk, reason="Loyalty")
    wrong = _charge(patient, desk, 1000)
    reversal = ledger.reverse_entry(wrong, by=desk, reason="Not given")

    invoice = invoices.issue_invoice(
        patient, [first, second, credit.pk, wrong, reversal], by=desk, issued_on=DAY
    )

    assert invoice.number == "INV-2026-000001"
    assert invoice.total == 4500 + 3000 - 500 + 1000 - 1000
    assert invoice.total == sum(line.entry.amount for line in invoice.lines.all())
    assert list(invoices.uninvoiced_entries(patient)) == []
    assert (
        invoices.issue_invoice(patient, [_charge(patient, desk, 1)], by=desk, issued_on=DAY).number
        == "INV-2026-000002"
    )
    next_year = invoices.issue_invoice(
        patient, [_charge(patient, desk, 1)], by=desk, issued_on=dt.date(2027, 1, 2)
    )
    assert next_year.number == "INV-2027-000001"


@pytest.mark.parametrize(
    "choose, message",
    [
        (lambda own, other, payment: [], "at least one"),
        (lambda own, other, payment: [own, other], "own entries"),
        (lambda own, other, payment: [payment], "not invoiced"),
    ],
)
def test_an_invoice_refuses_what_it_cannot_list_and_writes_nothing(desk, choose, message):
    patient, stranger = make_patient(), make_patient()
    own = _charge(patient, desk, 4500)
    other = _charge(stranger, desk, 4500)
    payment = ledger.record_payment(patient, amount=100, method="cash", by=desk)

    with pytest.raises(BillingError, match=message):
        invoices.issue_invoice(patient, choose(own, other, payment), by=desk)

    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_an_entry_is_on_one_invoice_only(desk):
    patient = make_patient()
    charge = _charge(patient, desk, 4500)
    invoices.issue_invoice(patient, [charge], by=desk)

    with pytest.raises(BillingError, match="already on an invoice"):
        invoices.issue_invoice(patient, [charge, _charge(patient, desk, 10)], by=desk)
    assert Invoice.objects.count() == 1


def test_payments_naming_an_invoice_show_what_is_paid_and_outstanding(desk):
    patient = make_patient()
    invoice = invoices.issue_invoice(patient, [_charge(patient, desk, 9000)], by=desk)
    ledger.record_payment(patient, amount=3000, method="card", by=desk, invoice=invoice)
    bounced = ledger.record_payment(
        patient, amount=2000, method="bank_transfer", by=desk, invoice=invoice
    )
    ledger.record_payment(patient, amount=700, method="cash", by=desk)  # not against the invoice
    assert invoices.invoice_paid(invoice) == 5000
    ledger.reverse_entry(bounced, by=desk, reason="Transfer returned")

    assert invoices.invoice_paid(invoice) == 3000
    assert invoices.invoice_outstanding(invoice) == 6000
    [listed] = invoices.invoices_with_payments(patient)
    assert (listed.paid, listed.outstanding) == (3000, 6000)


def test_a_payment_cannot_name_another_patients_invoice(desk):
    patient, other = make_patient(), make_patient()
    invoice = invoices.issue_invoice(other, [_charge(other, desk, 9000)], by=desk)

    with pytest.raises(BillingError, match="this patient's invoices"):
        ledger.record_payment(patient, amount=100, method="card", by=desk, invoice=invoice)


def test_a_statement_has_the_entries_between_its_dates_and_both_balances(desk):
    patient = make_patient()
    _charge(patient, desk, 5000, occurred_on=dt.date(2026, 2, 20))
    inside = [
        _charge(patient, desk, 4500, occurred_on=dt.date(2026, 3, 1)),
        ledger.record_payment(
            patient, amount=2000, method="card", by=desk, occurred_on=dt.date(2026, 3, 31)
        ),
    ]
    _charge(patient, desk, 999, occurred_on=dt.date(2026, 4, 1))

    march = invoices.statement(patient, dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    assert march.opening == 5000
    assert march.entries == inside
    assert march.closing == 5000 + 4500 - 2000
    with pytest.raises(BillingError, match="end date"):
        invoices.statement(patient, dt.date(2026, 3, 2), dt.date(2026, 3, 1))
