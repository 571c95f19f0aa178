"""Django's ``flush`` that also works where guard triggers protect rows.

``flush`` empties every table of the database at once. On PostgreSQL it uses TRUNCATE, which row
triggers do not see; on SQLite it issues DELETE, which the audit and signed-note triggers refuse.
So on SQLite this lifts the ``guard_`` triggers for the flush and puts them back afterwards, in
the same transaction: emptying the whole database stays possible for its owner (and for test
runs), while deleting single rows stays refused.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=options["database"]):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND name LIKE 'guard\\_%' ESCAPE '\\'"
                )
                guards = cursor.fetchall()
                for name, _sql in guards:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                result = super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for _name, sql in guards:
                        cursor.execute(sql)
        return result
