"""Two cashiers issue an invoice for the same entry at once, on PostgreSQL: the second one's
form is checked before the first invoice commits, so only the invoice service's re-check under
the account lock can refuse it, and the page says why. The order of events is forced (the
first cashier holds the account lock until the second is seen waiting for it), not timed.

On SQLite the race cannot happen: a transaction takes the write lock when it begins, and the
page checks the form inside the same transaction as the write."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from sotclinic.accounts.models import Role
from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import EntryKind, Invoice
from tests.factories import make_patient, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's transactions take the write lock at BEGIN; there is no race to force",
    ),
]

WAIT = 30  # seconds before a step that never happens fails the test


def _wait_until_someone_waits_for_a_row_lock() -> None:
    """Poll (on this thread's own connection, one snapshot per query) until another backend
    of this database waits on a lock in a SELECT ... FOR UPDATE."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
                " AND query ILIKE '%%FOR UPDATE%%'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.01)  # between polls only; the order of events never rests on it
    pytest.fail("the second cashier never waited for the account lock")


def test_the_second_cashier_invoicing_the_same_entry_is_told_it_is_already_on_an_invoice():
    first, second = make_user(Role.FRONT_DESK), make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=first)
    client = Client()
    client.force_login(second)
    issued, release = threading.Event(), threading.Event()
    outcome = {}

    def first_cashier():
        try:
            with transaction.atomic():
                # issue_invoice locks the account row; the lock is held until this commits.
                invoices.issue_invoice(patient, [charge], by=first)
                issued.set()
                release.wait(WAIT)
        except Exception as exc:  # surfaced by the assertions below
            outcome["first"] = exc
        finally:
            issued.set()
            connection.close()

    def second_cashier():
        try:
            outcome["second"] = client.post(
                f"/staff/patients/{patient.pk}/account/invoices/",
                {"invoice-entries": [charge.pk]},
            )
        finally:
            connection.close()

    a = threading.Thread(target=first_cashier)
    b = threading.Thread(target=second_cashier)
    a.start()
    try:
        assert issued.wait(WAIT) and "first" not in outcome
        b.start()
        _wait_until_someone_waits_for_a_row_lock()
    finally:
        release.set()
        a.join(WAIT)
        if b.ident is not None:  # started
            b.join(WAIT)

    assert "first" not in outcome
    response = outcome["second"]
    assert response.status_code == 400
    assert "Some of these entries are already on an invoice." in response.content.decode()
    assert Invoice.objects.count() == 1
    assert list(Invoice.objects.get().lines.values_list("entry", flat=True)) == [charge.pk]
