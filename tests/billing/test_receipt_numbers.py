"""Receipts are numbered from one counter per year, like invoices, in the transaction that
posts the payment or refund: no gaps, never twice, whatever else the ledger holds."""

import datetime as dt

import pytest
from django.db import transaction

from sotclinic.accounts.models import Role
from sotclinic.billing import ledger
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import EntryKind, Receipt, ReceiptSequence
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


def test_payments_and_refunds_are_numbered_without_gaps_per_year(desk):
    ada, bob = make_patient(first_name="Ada"), make_patient(first_name="Bob")
    day = dt.date(2026, 3, 2)
    first = ledger.record_payment(ada, amount=5000, method="card", by=desk, occurred_on=day)
    # A charge, a credit and an opening balance get no receipt and take no number.
    ledger.post_entry(ada, kind=EntryKind.CHARGE, amount=4000, by=desk, occurred_on=day)
    ledger.issue_credit(ada, amount=500, by=desk, reason="Goodwill", occurred_on=day)
    second = ledger.record_payment(bob, amount=2500, method="cash", by=desk, occurred_on=day)
    refund = ledger.record_refund(ada, amount=1000, method="card", by=desk, occurred_on=day)
    next_year = ledger.record_payment(
        bob, amount=100, method="cash", by=desk, occurred_on=dt.date(2027, 1, 4)
    )
    assert [e.receipt.number for e in (first, second, refund, next_year)] == [
        "RCP-2026-000001",
        "RCP-2026-000002",
        "RCP-2026-000003",
        "RCP-2027-000001",
    ]
    assert Receipt.objects.count() == 4


def test_a_payment_refused_or_undone_leaves_no_gap(desk):
    ada = make_patient(first_name="Ada")
    day = dt.date(2026, 3, 2)
    ledger.record_payment(ada, amount=5000, method="card", by=desk, occurred_on=day)
    with pytest.raises(BillingError):
        ledger.record_payment(ada, amount=0, method="card", by=desk, occurred_on=day)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.record_payment(ada, amount=700, method="card", by=desk, occurred_on=day)
        raise RuntimeError("the request failed after the payment was posted")
    payment = ledger.record_payment(ada, amount=800, method="card", by=desk, occurred_on=day)
    assert payment.receipt.number == "RCP-2026-000002"
    assert ReceiptSequence.objects.get(year=2026).last == 2
