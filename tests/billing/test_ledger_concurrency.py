"""The ledger's invariant under load: many cashiers posting to one patient's account at the
same moment, each on their own database connection, leave every entry in place and the
account's balance equal to the sum of its entries, and the reports' running totals equal to
what the entries add up to (on SQLite and on PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from sotclinic.accounts.models import Role
from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import (
    Account,
    EntryKind,
    Invoice,
    LedgerEntry,
    OwedDebit,
    RevenueDay,
)
from tests.billing.totals import recomputed, stored
from tests.concurrency import run_at_once
from tests.factories import make_location, make_patient, make_practitioner, make_user

pytestmark = pytest.mark.django_db(transaction=True)

CASHIERS = 16


def _each_once(action, times: int = CASHIERS) -> list[Exception]:
    """Run ``action(n)`` for n = 0..times-1, all released at once, each on its own connection."""
    counter = iter(range(times))
    lock = threading.Lock()

    def one():
        with lock:
            n = next(counter)
        action(n)

    return run_at_once(one, times=times)


def test_sixteen_concurrent_payments_keep_every_entry_and_the_balance():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=100_000, by=desk)

    errors = _each_once(
        lambda n: ledger.record_payment(
            patient, amount=100 + n, method="card", reference=f"slip {n}", by=desk
        )
    )

    assert errors == []
    account = Account.objects.get(patient=patient)
    payments = LedgerEntry.objects.filter(account=account, kind=EntryKind.PAYMENT)
    assert sorted(payments.values_list("reference", flat=True)) == sorted(
        f"slip {n}" for n in range(CASHIERS)
    )
    assert account.balance == ledger.entries_total(account)
    assert account.balance == 100_000 - sum(100 + n for n in range(CASHIERS))


def test_concurrent_payments_and_a_reversal_keep_the_balance():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=9_000, by=desk)
    mistaken = ledger.record_payment(patient, amount=5_000, method="cash", by=desk)

    def act(n):
        if n == 0:
            ledger.reverse_entry(mistaken, by=desk, reason="Counted twice")
        elif n == 1:
            ledger.reverse_entry(charge, by=desk, reason="Wrong patient")
        else:
            ledger.record_payment(patient, amount=10 * n, method="card", by=desk)

    errors = _each_once(act)

    assert errors == []
    account = Account.objects.get(patient=patient)
    assert LedgerEntry.objects.filter(account=account).count() == 2 + CASHIERS
    assert account.balance == ledger.entries_total(account)
    assert account.balance == -sum(10 * n for n in range(2, CASHIERS))


def test_the_same_entry_reversed_at_once_is_reversed_once():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4_500, by=desk)

    errors = run_at_once(lambda: ledger.reverse_entry(charge, by=desk, reason="Twice"), times=4)

    assert len(errors) == 3
    assert all("already been reversed" in str(error) for error in errors)
    account = Account.objects.get(patient=patient)
    assert account.balance == 0 == ledger.entries_total(account)


def test_concurrent_posters_keep_the_report_totals_equal_to_the_entries():
    """Sixteen cashiers at once on one day and practitioner (one revenue row, first written by
    whichever commits first), four of them on each of four accounts: the running totals stay
    what the entries add up to."""
    desk = make_user(Role.FRONT_DESK)
    practitioner = make_practitioner(make_location())
    patients = [make_patient() for _ in range(4)]
    day = dt.date(2026, 3, 2)
    earlier = ledger.post_entry(
        patients[0], kind=EntryKind.CHARGE, amount=2_000, by=desk, occurred_on=day
    )

    def act(n):
        patient = patients[n % 4]
        if n == 1:
            ledger.reverse_entry(earlier, by=desk, reason="Wrong day")
        elif n % 2:
            ledger.record_payment(
                patient, amount=1_000 + n, method="card", by=desk, occurred_on=day
            )
        else:
            ledger.post_entry(
                patient,
                kind=EntryKind.CHARGE,
                amount=4_500 + n,
                by=desk,
                occurred_on=day,
                practitioner=practitioner,
            )

    errors = _each_once(act)

    assert errors == []
    assert stored() == recomputed()
    revenue = RevenueDay.objects.get(day=day, practitioner=practitioner)
    assert revenue.charged == sum(4_500 + n for n in range(0, CASHIERS, 2))
    assert OwedDebit.objects.filter(account__patient__in=patients).exists()


def test_invoices_issued_at_once_get_unique_consecutive_numbers():
    desk = make_user(Role.FRONT_DESK)
    patients = [make_patient() for _ in range(8)]
    charges = [
        ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4_500, by=desk)
        for patient in patients
    ]

    errors = _each_once(
        lambda n: invoices.issue_invoice(patients[n], [charges[n]], by=desk), times=8
    )

    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = Invoice.objects.first().issued_on.year
    assert numbers == [invoices.invoice_number(year, n) for n in range(1, 9)]


def test_one_entry_invoiced_twice_at_once_lands_on_one_invoice():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4_500, by=desk)

    errors = run_at_once(lambda: invoices.issue_invoice(patient, [charge], by=desk), times=4)

    assert len(errors) == 3
    assert all("already on an invoice" in str(error) for error in errors)
    assert Invoice.objects.count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
