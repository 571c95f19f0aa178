"""The database's own refusal to change the ledger, issued invoices and receipt numbers (see
sotclinic.audit.triggers): ledger entries, invoices, their lines and receipts are only ever
inserted."""

from sotclinic.audit.triggers import Guard, TruncateGuard, no_replace_guard

LEDGER_MESSAGE = (
    "Ledger entries, issued invoices and receipts are append-only; they cannot be changed or"
    " deleted."
)

LEDGER_TABLES = ("billing_ledgerentry", "billing_invoice", "billing_invoiceline")


def _guards(table: str) -> tuple:
    name = f"guard_{table}"
    return (
        Guard(
            name=f"{name}_append_only",
            table=table,
            events=("UPDATE", "DELETE"),
            message=LEDGER_MESSAGE,
        ),
        *no_replace_guard(f"{name}_no_replace", table, LEDGER_MESSAGE, "1"),
        TruncateGuard(f"{name}_no_truncate", table, LEDGER_MESSAGE),
    )


LEDGER_GUARDS = tuple(guard for table in LEDGER_TABLES for guard in _guards(table))

# Receipts came later (migration 0010 installs these; 0002 installs the ledger's).
RECEIPT_GUARDS = _guards("billing_receipt")
