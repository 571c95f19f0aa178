"""The database itself refuses to change or delete ledger entries, invoices and invoice lines,
whatever SQL tries: UPDATE, DELETE, SQLite's REPLACE, PostgreSQL's TRUNCATE."""

import pytest
from django.db import DatabaseError, connection, transaction

from sotclinic.accounts.models import Role
from sotclinic.audit.triggers import installed_guard_names
from sotclinic.billing import invoices, ledger
from sotclinic.billing.models import EntryKind, Invoice, InvoiceLine, LedgerEntry, Receipt
from sotclinic.billing.triggers import LEDGER_TABLES
from tests.factories import make_patient, make_user

pytestmark = pytest.mark.django_db

GUARD_WORDS = "append-only"

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE is SQLite's")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's"
)


def _refused(sql: str, params=()) -> None:
    with (
        pytest.raises(DatabaseError, match=GUARD_WORDS),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.fixture
def invoiced():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    charge = ledger.post_entry(patient, kind=EntryKind.CHARGE, amount=4500, by=desk, code="98940")
    invoice = invoices.issue_invoice(patient, [charge], by=desk)
    return charge, invoice, invoice.lines.get()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_ledgerentry SET amount = 1 WHERE id = {entry}",
        "DELETE FROM billing_ledgerentry WHERE id = {entry}",
        "UPDATE billing_invoice SET total = 1 WHERE id = {invoice}",
        "DELETE FROM billing_invoice WHERE id = {invoice}",
        "UPDATE billing_invoiceline SET entry_id = {entry} WHERE id = {line}",
        "DELETE FROM billing_invoiceline WHERE id = {line}",
    ],
)
def test_plain_sql_cannot_change_or_delete_ledger_rows(invoiced, sql):
    charge, invoice, line = invoiced

    _refused(sql.format(entry=charge.pk, invoice=invoice.pk, line=line.pk))

    assert LedgerEntry.objects.get(pk=charge.pk).amount == 4500
    assert Invoice.objects.get(pk=invoice.pk).total == 4500
    assert InvoiceLine.objects.get(pk=line.pk).entry_id == charge.pk


@sqlite_only
@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_replace_cannot_rewrite_a_ledger_row(invoiced, table):
    charge, invoice, line = invoiced
    pk = {"billing_ledgerentry": charge.pk, "billing_invoice": invoice.pk}.get(table, line.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        columns = [c[0] for c in cursor.description]
        row = list(cursor.fetchone())

    marks = ", ".join(["%s"] * len(row))
    _refused(f"REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})", row)

    assert LedgerEntry.objects.get(pk=charge.pk).amount == 4500


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", [*LEDGER_TABLES, "billing_account", "billing_receipt"])
def test_truncate_of_the_ledger_is_refused(invoiced, table):
    # CASCADE: without it the foreign keys alone would refuse, and the guard would go untested.
    _refused(f"TRUNCATE {table} CASCADE")

    assert LedgerEntry.objects.count() == 1
    assert Invoice.objects.count() == 1


def test_the_ledger_guards_are_installed_on_this_database():
    names = installed_guard_names(connection)

    for table in LEDGER_TABLES:
        assert any(name.startswith(f"guard_{table}_append_only") for name in names)
        if connection.vendor == "sqlite":
            assert any(name.startswith(f"guard_{table}_no_replace") for name in names)
        else:
            assert f"guard_{table}_no_truncate" in names


@pytest.fixture
def receipted():
    payment = ledger.record_payment(
        make_patient(),
        amount=4500,
        method="card",
        reference="",
        invoice=None,
        by=make_user(Role.FRONT_DESK),
    )
    return Receipt.objects.get(entry=payment)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_receipt SET number = 'RCP-1999-000001' WHERE id = {receipt}",
        "DELETE FROM billing_receipt WHERE id = {receipt}",
    ],
)
def test_plain_sql_cannot_change_or_delete_a_receipt_number(receipted, sql):
    number = receipted.number

    _refused(sql.format(receipt=receipted.pk))

    assert Receipt.objects.get(pk=receipted.pk).number == number


def test_a_receipt_number_cannot_be_changed_through_the_model(receipted):
    receipted.number = "RCP-1999-000001"

    with pytest.raises(Receipt.Immutable):
        receipted.save()


def test_the_receipt_guards_are_installed_on_this_database():
    names = installed_guard_names(connection)

    assert any(name.startswith("guard_billing_receipt_append_only") for name in names)
    if connection.vendor == "sqlite":
        assert any(name.startswith("guard_billing_receipt_no_replace") for name in names)
    else:
        assert "guard_billing_receipt_no_truncate" in names
