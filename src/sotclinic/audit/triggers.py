"""Database triggers that refuse changes the application must never make.

The models and services refuse these changes too; the triggers make the database itself refuse
them, so no code path (a bulk update, a shell session, a future bug) can alter the append-only
audit log or a signed note. Both supported databases get them: PostgreSQL through PL/pgSQL
functions, SQLite through ``RAISE(ABORT, …)`` triggers.

Every trigger's name starts with ``guard_`` so that ``flush`` (which empties the whole database,
as PostgreSQL's TRUNCATE does without firing row triggers) can lift them on SQLite while it runs.
"""

from dataclasses import dataclass

GUARD_PREFIX = "guard_"

PG_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION guard_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;
"""


@dataclass(frozen=True)
class Guard:
    """One refusal: ``events`` on ``table`` are refused with ``message`` when ``condition`` holds.

    ``condition`` is an SQL expression over OLD/NEW valid on both databases without subqueries
    (PostgreSQL forbids subqueries in a trigger's WHEN); ``None`` means always.
    """

    name: str
    table: str
    events: tuple[str, ...]  # "UPDATE", "DELETE", "INSERT"
    message: str
    condition: str | None = None
    # Where the refusal is needed: a guard against SQLite's REPLACE has no PostgreSQL twin.
    vendors: tuple[str, ...] = ("postgresql", "sqlite")

    def sqlite_sql(self) -> list[str]:
        # SQLite triggers take one event each.
        statements = []
        for event in self.events:
            when = f" WHEN {self.condition}" if self.condition else ""
            quoted = self.message.replace("'", "''")
            statements.append(
                f"CREATE TRIGGER {self.name}_{event.lower()} BEFORE {event} ON {self.table} "
                f"FOR EACH ROW{when} BEGIN SELECT RAISE(ABORT, '{quoted}'); END;"
            )
        return statements

    def sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.name}_{event.lower()};" for event in self.events]

    def postgresql_sql(self) -> list[str]:
        when = f" WHEN ({self.condition})" if self.condition else ""
        quoted = self.message.replace("'", "''")
        return [
            PG_REFUSE_FUNCTION,
            f"CREATE TRIGGER {self.name} BEFORE {' OR '.join(self.events)} ON {self.table} "
            f"FOR EACH ROW{when} EXECUTE FUNCTION guard_refuse('{quoted}');",
        ]

    def postgresql_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};"]


@dataclass(frozen=True)
class TruncateGuard:
    """PostgreSQL's TRUNCATE empties a table without firing its row triggers; this statement
    trigger refuses it. SQLite has no TRUNCATE (its DELETE fires the row triggers)."""

    name: str
    table: str
    message: str
    vendors: tuple[str, ...] = ("postgresql",)

    def postgresql_sql(self) -> list[str]:
        quoted = self.message.replace("'", "''")
        return [
            PG_REFUSE_FUNCTION,
            f"CREATE TRIGGER {self.name} BEFORE TRUNCATE ON {self.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION guard_refuse('{quoted}');",
        ]

    def postgresql_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};"]


def no_replace_guard(name: str, table: str, message: str, protected: str, keys=("id",)):
    """SQLite's REPLACE (INSERT OR REPLACE, UPDATE OR REPLACE) deletes the row holding a
    clashing unique key without firing DELETE triggers. Refuse the INSERT or UPDATE before
    that happens when the clashing row is one the guards protect.

    `protected` is an SQL condition on the existing row `t` (e.g. "t.signed_at IS NOT NULL",
    or "1" for every row); `keys` are the table's unique columns.
    """
    clash = " OR ".join(f"t.{key} = NEW.{key}" for key in keys)
    existing = f"SELECT 1 FROM {table} t WHERE ({clash}) AND {protected}"  # noqa: S608
    return (
        Guard(
            name=name,
            table=table,
            events=("INSERT",),
            message=message,
            condition=f"EXISTS ({existing})",
            vendors=("sqlite",),
        ),
        Guard(
            name=name,
            table=table,
            events=("UPDATE",),
            message=message,
            condition=f"EXISTS ({existing} AND t.id <> OLD.id)",
            vendors=("sqlite",),
        ),
    )


def install(schema_editor, guards) -> None:
    """Create the guards on whichever database the migration runs against."""
    vendor = schema_editor.connection.vendor
    for guard in guards:
        if vendor not in guard.vendors:
            continue
        if vendor == "postgresql":
            statements = guard.postgresql_sql()
        elif vendor == "sqlite":
            statements = guard.sqlite_sql()
        else:  # another database: the model and service guards still hold
            continue
        for statement in statements:
            schema_editor.execute(statement, params=None)


def uninstall(schema_editor, guards) -> None:
    vendor = schema_editor.connection.vendor
    for guard in guards:
        if vendor not in guard.vendors:
            continue
        if vendor == "postgresql":
            statements = guard.postgresql_drop()
        elif vendor == "sqlite":
            statements = guard.sqlite_drop()
        else:
            continue
        for statement in statements:
            schema_editor.execute(statement, params=None)


def installed_guard_names(connection) -> set[str]:
    """Names of the guard triggers present in the database (for tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard\\_%' "
                "ESCAPE '\\'"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'guard\\_%'"
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


AUDIT_GUARDS = (
    Guard(
        name="guard_audit_accesslog_append_only",
        table="audit_accesslog",
        events=("UPDATE", "DELETE"),
        message="The audit log is append-only; its rows cannot be changed or deleted.",
    ),
)

AUDIT_MESSAGE = AUDIT_GUARDS[0].message

# Added after the first release of the guards (migration 0003).
AUDIT_BYPASS_GUARDS = (
    *no_replace_guard("guard_audit_accesslog_no_replace", "audit_accesslog", AUDIT_MESSAGE, "1"),
    TruncateGuard("guard_audit_accesslog_no_truncate", "audit_accesslog", AUDIT_MESSAGE),
)
