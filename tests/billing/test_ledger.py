"""The ledger's posting path: every entry moves the balance by its amount, the database refuses
entries whose sign does not fit their kind, and a posted entry never changes."""

import pytest
from django.db import IntegrityError, transaction

from sotclinic.accounts.models import Role
from sotclinic.billing import ledger
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import (
    Account,
    EntryKind,
    InvoiceSequence,
    LedgerEntry,
    LedgerImmutable,
    ReceiptSequence,
)
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


def test_balance_is_the_sum_of_charges_payments_refunds_and_credits(desk):
    patient = make_patient()
    ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=desk)
    ledger.record_payment(patient, amount=3000, method="card", by=desk)
    ledger.record_refund(patient, amount=500, method="cash", by=desk)
    ledger.issue_credit(patient, amount=1000, by=desk, reason="Goodwill")
    account = Account.objects.get(patient=patient)
    assert account.balance == 4500 - 3000 + 500 - 1000
    assert ledger.entries_total(account) == account.balance


def test_a_reversal_cancels_its_entry_once_and_leaves_the_original(desk):
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=desk, code="98940")
    reversal = ledger.reverse_entry(charge, by=desk, reason="Billed twice")
    assert reversal.amount == -4500 and reversal.code == "98940"
    assert Account.objects.get(patient=patient).balance == 0
    assert LedgerEntry.objects.get(pk=charge.pk).amount == 4500
    with pytest.raises(BillingError, match="already been reversed"):
        ledger.reverse_entry(charge, by=desk, reason="Again")
    with pytest.raises(BillingError, match="cannot itself be reversed"):
        ledger.reverse_entry(reversal, by=desk, reason="Undo")
    with pytest.raises(BillingError, match="Say why"):
        ledger.reverse_entry(
            ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=1, by=desk),
            by=desk,
            reason=" ",
        )


def test_posted_entries_cannot_change_or_be_deleted(desk):
    entry = ledger.post_entry(make_patient(), kind=EntryKind.CHARGE, amount=4500, by=desk)
    entry.amount = 1
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(LedgerImmutable):
        entry.delete()


@pytest.mark.parametrize(
    "kind, amount, extra",
    [
        (EntryKind.CHARGE, -1, {}),
        (EntryKind.PAYMENT, 100, {"method": "cash"}),
        (EntryKind.CREDIT, 100, {}),
        (EntryKind.REFUND, -100, {"method": "cash"}),
        (EntryKind.PAYMENT, -100, {}),
        (EntryKind.REVERSAL, -100, {}),
    ],
)
def test_the_database_refuses_a_sign_or_field_that_does_not_fit_the_kind(desk, kind, amount, extra):
    patient = make_patient()
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.post_entry(patient, kind=kind, amount=amount, by=desk, **extra)
    assert not LedgerEntry.objects.filter(account__patient=patient).exists()
    # The account opened for the entry is rolled back with it: nothing half-written stays.
    assert not Account.objects.filter(patient=patient).exclude(balance=0).exists()


@pytest.mark.parametrize("amount", [0, -5, 12.5, "10", True])
def test_payments_need_a_positive_whole_amount(desk, amount):
    with pytest.raises(BillingError):
        ledger.record_payment(make_patient(), amount=amount, method="cash", by=desk)


def test_payments_need_a_known_method(desk):
    with pytest.raises(BillingError, match="how the money was paid"):
        ledger.record_payment(make_patient(), amount=100, method="cheque?", by=desk)


def test_an_entry_in_another_currency_is_refused(desk):
    patient = make_patient()
    with pytest.raises(BillingError, match="kept in GBP"):
        ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=100, by=desk, currency="EUR")


@pytest.mark.parametrize("amount", [12.5, "100", True, None])
def test_an_entry_of_no_whole_number_of_minor_units_is_refused(desk, amount):
    patient = make_patient()

    with pytest.raises(BillingError, match="whole number of the currency's smallest unit"):
        ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=amount, by=desk)

    assert not LedgerEntry.objects.filter(account__patient=patient).exists()


def test_a_credit_needs_a_reason(desk):
    patient = make_patient()

    with pytest.raises(BillingError, match="Say what the credit is for."):
        ledger.issue_credit(patient, amount=1000, by=desk, reason="  ")

    assert not LedgerEntry.objects.filter(account__patient=patient).exists()


def test_ledger_rows_read_as_text(desk):
    patient = make_patient()
    entry = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=desk)

    assert str(entry.account) == f"Account of patient {patient.pk}"
    assert str(entry) == "charge 4500 GBP"
    assert str(InvoiceSequence.objects.create(year=2026, last=12)) == "2026: 12"


def test_receipt_rows_read_as_text(desk):
    payment = ledger.record_payment(make_patient(), amount=4500, method="card", by=desk)

    assert str(payment.receipt) == payment.receipt.number
    year = payment.occurred_on.year
    assert str(ReceiptSequence.objects.get(year=year)) == f"{year}: 1"
