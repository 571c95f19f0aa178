"""Django's ``flush`` that also works where guard triggers protect rows.

``flush`` empties every table of the database at once. On PostgreSQL it uses TRUNCATE, which
the statement-level ``guard_`` triggers refuse; on SQLite it issues DELETE, which the audit and
signed-note row triggers refuse. So this lifts the ``guard_`` triggers for the flush and puts
them back afterwards, in the same transaction: emptying the whole database stays possible for
the owner of its tables (and for test runs), while deleting or truncating single tables stays
refused. On PostgreSQL only the tables' owner may lift a trigger, which is why the app should
connect as a role that owns nothing (see the README).
"""

import time

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

# PostgreSQL's "deadlock detected". Lifting a trigger locks its table; a request still being
# answered (a browser test's last autosave, say) may hold one table and wait for another, and
# PostgreSQL then aborts one of the two. If that is the flush, it tries again once the other
# transaction has finished.
DEADLOCK_DETECTED = "40P01"
ATTEMPTS = 5


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor == "sqlite":
            lift, restore = _lift_sqlite_guards(connection)
        elif connection.vendor == "postgresql":
            lift, restore = _lift_postgresql_guards(connection)
        else:
            return super().handle(**options)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                # DDL is transactional on both databases: if the flush fails, the rollback
                # puts the guards back.
                with transaction.atomic(using=options["database"]):
                    lift()
                    result = super().handle(**options)
                    restore()
                return result
            except Exception as exc:
                if attempt == ATTEMPTS or not _is_deadlock(exc):
                    raise
                time.sleep(0.2 * attempt)


def _is_deadlock(exc: BaseException | None) -> bool:
    """Whether the database aborted the flush as one side of a deadlock (the error may be
    wrapped by Django's database layer and by flush's CommandError)."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == DEADLOCK_DETECTED:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _lift_sqlite_guards(connection):
    guards = []

    def lift():
        guards.clear()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'guard\\_%' ESCAPE '\\'"
            )
            guards.extend(cursor.fetchall())
            for name, _sql in guards:
                cursor.execute(f'DROP TRIGGER "{name}"')

    def restore():
        with connection.cursor() as cursor:
            for _name, sql in guards:
                cursor.execute(sql)

    return lift, restore


def _lift_postgresql_guards(connection):
    guards = []

    def lift():
        guards.clear()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'guard\\_%' "
                "AND n.nspname = current_schema()"
            )
            guards.extend(cursor.fetchall())
            for name, table in guards:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')

    def restore():
        with connection.cursor() as cursor:
            for name, table in guards:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')

    return lift, restore
