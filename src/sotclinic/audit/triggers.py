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


def install(schema_editor, guards) -> None:
    """Create the guards on whichever database the migration runs against."""
    vendor = schema_editor.connection.vendor
    for guard in guards:
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
