"""The reports' running totals worked out again in Python from the ledger's entries, to compare
with the rows the ledger's write path keeps (``billing.summaries``)."""

from collections import defaultdict

from sotclinic.billing.models import EntryKind, LedgerEntry, OwedDebit, RevenueDay

COLUMNS = {
    EntryKind.CHARGE: 0,  # charged
    EntryKind.CREDIT: 1,  # reduced
    EntryKind.PAYMENT: 2,  # received
    EntryKind.REFUND: 2,
}


def recomputed() -> tuple[dict, dict]:
    """(revenue per (day, practitioner_id): [charged, reduced, received]; owed per
    (account_id, day)), from the entries alone."""
    entries = list(
        LedgerEntry.objects.values(
            "id", "kind", "amount", "occurred_on", "practitioner_id", "account_id", "reverses_id"
        )
    )
    kind_of = {e["id"]: e["kind"] for e in entries}
    revenue: dict = {}
    for e in entries:
        if e["kind"] == EntryKind.REVERSAL:
            # A reversal counts where its original does; of a charge it lowers the revenue.
            original = kind_of[e["reverses_id"]]
            column = 1 if original == EntryKind.CHARGE else COLUMNS.get(original)
        else:
            column = COLUMNS.get(e["kind"])
        if column is None:
            continue  # opening balances, and their reversals, are in no report
        sums = revenue.setdefault((e["occurred_on"], e["practitioner_id"]), [0, 0, 0])
        sums[column] += e["amount"]

    reversed_ids = {e["reverses_id"] for e in entries if e["reverses_id"]}
    by_account = defaultdict(list)
    for e in entries:
        by_account[e["account_id"]].append(e)
    owed: dict = {}
    for account_id, rows in by_account.items():
        left = sum(e["amount"] for e in rows)  # the balance
        debits = [e for e in rows if e["amount"] > 0 and e["id"] not in reversed_ids]
        for e in sorted(debits, key=lambda e: (e["occurred_on"], e["id"]), reverse=True):
            if left <= 0:
                break
            part = min(left, e["amount"])
            key = (account_id, e["occurred_on"])
            owed[key] = owed.get(key, 0) + part
            left -= part
    return revenue, owed


def stored() -> tuple[dict, dict]:
    revenue = {
        (r.day, r.practitioner_id): [r.charged, r.reduced, r.received]
        for r in RevenueDay.objects.all()
    }
    owed = {(o.account_id, o.day): o.amount for o in OwedDebit.objects.all()}
    return revenue, owed
