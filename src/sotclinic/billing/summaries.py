"""The ledger's running totals for the practice reports (``models.summaries``): kept by the
ledger's write path, and rebuilt from the entries when they are first made.

``record`` is called by ``ledger.post_entry`` alone, in the transaction that inserts the entry,
with the account's row locked: the day's revenue row moves by the entry's amount in one upsert
(an increment the database applies atomically, also with many cashiers at once), and the
account's owed debits are worked out again from its own entries. The ledger is append-only, so
an entry once counted never needs to be taken out again.

``rebuild`` recomputes every row from the entries in a few set-based statements: the data
migration that introduces the totals runs it, and so does the benchmark's bulk-written practice.
"""

# The SQL is built from table names only; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from .models import Account, EntryKind, LedgerEntry, OwedDebit, RevenueDay

# Revenue: what was charged; payments: what was received. A reversal counts where its original does.
REVENUE_KINDS = (EntryKind.CHARGE, EntryKind.CREDIT)
PAYMENT_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)


def _revenue_column(entry: LedgerEntry) -> str | None:
    """Which of the day's totals the entry moves (None: opening balances are in no report)."""
    kind = entry.kind
    if kind == EntryKind.REVERSAL:
        kind = entry.reverses.kind
        if kind in REVENUE_KINDS:
            return "reduced"
    if kind == EntryKind.CHARGE:
        return "charged"
    if kind == EntryKind.CREDIT:
        return "reduced"
    if kind in PAYMENT_KINDS:
        return "received"
    return None


def _upsert_sql() -> dict[bool, str]:
    table = RevenueDay._meta.db_table
    # Each partial unique key is named with its condition, as both databases require.
    targets = {
        True: "(day, practitioner_id) WHERE practitioner_id IS NOT NULL",
        False: "(day) WHERE practitioner_id IS NULL",
    }
    return {
        named: f"""
            INSERT INTO {table} (day, practitioner_id, charged, reduced, received)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT {target} DO UPDATE SET
                charged = {table}.charged + excluded.charged,
                reduced = {table}.reduced + excluded.reduced,
                received = {table}.received + excluded.received"""
        for named, target in targets.items()
    }


def _count_revenue(entry: LedgerEntry) -> None:
    column = _revenue_column(entry)
    if column is None:
        return
    sums = {"charged": 0, "reduced": 0, "received": 0, column: entry.amount}
    sql = _upsert_sql()[entry.practitioner_id is not None]
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                entry.occurred_on,
                entry.practitioner_id,
                sums["charged"],
                sums["reduced"],
                sums["received"],
            ],
        )


def owed_by_day(debits, balance: int) -> dict:
    """The balance applied to the debits (``(day, amount)``, newest first): what is owed of
    each day's debits. Nothing when the account owes nothing."""
    owed: dict = {}
    left = balance
    for day, amount in debits:
        if left <= 0:
            break
        part = min(amount, left)
        owed[day] = owed.get(day, 0) + part
        left -= part
    return owed


def _owe(account_id: int, balance: int) -> None:
    """Work out the account's owed debits again from its entries (the account row is locked)."""
    OwedDebit.objects.filter(account_id=account_id).delete()
    if balance <= 0:
        return
    debits = (
        LedgerEntry.objects.filter(account_id=account_id, amount__gt=0, reversed_by__isnull=True)
        .order_by("-occurred_on", "-id")
        .values_list("occurred_on", "amount")
    )
    owed = owed_by_day(debits.iterator(chunk_size=100), balance)
    OwedDebit.objects.bulk_create(
        OwedDebit(account_id=account_id, day=day, amount=amount) for day, amount in owed.items()
    )


def record(entry: LedgerEntry, balance: int) -> None:
    """Count a newly posted entry in the totals; ``balance`` is the account's balance with it.
    Only ``ledger.post_entry`` calls this, in the entry's transaction, with the account locked."""
    _count_revenue(entry)
    _owe(entry.account_id, balance)


def rebuild(using=None) -> None:
    """Every total recomputed from the entries (and the accounts' balances, which the ledger
    keeps equal to the sums of their entries), on ``using`` (a connection; the default one)."""
    entries = LedgerEntry._meta.db_table
    revenue = RevenueDay._meta.db_table
    owed = OwedDebit._meta.db_table
    accounts = Account._meta.db_table
    revenue_kinds, payment_kinds = "('charge', 'credit')", "('payment', 'refund')"
    with (using or connection).cursor() as cursor:
        cursor.execute(f"DELETE FROM {revenue}")
        cursor.execute(f"DELETE FROM {owed}")
        cursor.execute(f"""
            INSERT INTO {revenue} (day, practitioner_id, charged, reduced, received)
            SELECT e.occurred_on, e.practitioner_id,
                SUM(CASE WHEN e.kind = 'charge' THEN e.amount ELSE 0 END),
                SUM(CASE WHEN e.kind = 'credit' OR o.kind IN {revenue_kinds}
                    THEN e.amount ELSE 0 END),
                SUM(CASE WHEN e.kind IN {payment_kinds} OR o.kind IN {payment_kinds}
                    THEN e.amount ELSE 0 END)
            FROM {entries} e LEFT JOIN {entries} o ON o.id = e.reverses_id
            WHERE e.kind IN ('charge', 'credit', 'payment', 'refund')
               OR o.kind IN ('charge', 'credit', 'payment', 'refund')
            GROUP BY e.occurred_on, e.practitioner_id""")
        # Each owing account's unreversed debits newest first, with the running total of it and
        # the newer ones: what is left of the balance for it is balance - (running - amount).
        cursor.execute(f"""
            INSERT INTO {owed} (account_id, day, amount)
            SELECT account_id, occurred_on, SUM(
                CASE WHEN balance - (running - amount) >= amount THEN amount
                     ELSE balance - (running - amount) END)
            FROM (
                SELECT e.account_id, e.occurred_on, e.amount, a.balance,
                       SUM(e.amount) OVER (
                           PARTITION BY e.account_id ORDER BY e.occurred_on DESC, e.id DESC
                       ) AS running
                FROM {accounts} a JOIN {entries} e ON e.account_id = a.id AND e.amount > 0
                WHERE a.balance > 0
                  AND NOT EXISTS (SELECT 1 FROM {entries} r WHERE r.reverses_id = e.id)
            ) debits
            WHERE balance - (running - amount) > 0
            GROUP BY account_id, occurred_on""")
