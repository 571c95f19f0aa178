"""The indexes behind the patient search: substring search on the search columns that reads an
index instead of every row.

PostgreSQL: trigram GIN indexes (``pg_trgm``), which ``LIKE '%…%'`` uses. SQLite: an FTS5
table with the trigram tokenizer over the same columns (a quoted phrase ``MATCH`` reads the
index alone),
kept in step with the patients table by triggers. SQLite drops a table's triggers when a
migration rebuilds the table, so ``install`` runs again after every ``migrate`` (see
``apps.py``) and rebuilds the FTS index when it finds the triggers gone.
"""

# The statements below are built from the constant names in this module, never from input.
# ruff: noqa: S608

import re

from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import BuiltinLookup, Contains

SQLITE_TABLE = "patients_patient_search"
COLUMNS = ("search_name", "search_phone", "search_email")
PG_INDEXES = {column: f"patient_{column}_trgm" for column in COLUMNS}

_columns = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
_SQLITE_TRIGGERS = {
    f"{SQLITE_TABLE}_insert": (
        f"AFTER INSERT ON patients_patient BEGIN "
        f"INSERT INTO {SQLITE_TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END"
    ),
    f"{SQLITE_TABLE}_delete": (
        f"AFTER DELETE ON patients_patient BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, {_columns}) "
        f"VALUES ('delete', old.id, {_old}); END"
    ),
    f"{SQLITE_TABLE}_update": (
        f"AFTER UPDATE ON patients_patient BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, {_columns}) "
        f"VALUES ('delete', old.id, {_old}); "
        f"INSERT INTO {SQLITE_TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END"
    ),
}


def install(connection) -> None:
    """Create whatever of the search index is missing (safe to run again)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column, name in PG_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient "
                    f"USING gin ({column} gin_trgm_ops)"
                )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5({_columns}, "
                f"content='patients_patient', content_rowid='id', tokenize='trigram')"
            )
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in _SQLITE_TRIGGERS if name not in present]
            for name in missing:
                cursor.execute(f"CREATE TRIGGER {name} {_SQLITE_TRIGGERS[name]}")
            if missing:  # rows written while a trigger was absent: index them all again
                cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in PG_INDEXES.values():
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        elif connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")


def by_trigrams(text: str) -> bool:
    """Whether SQLite's index answers ``text`` from its trigrams (three characters or more)."""
    return len(text) >= 3


def search_term(column: str, text: str) -> str:
    """What the database is asked for ``text`` (already folded) in ``column``, so that
    ``holding`` finds the rows whose column holds it through its index.

    PostgreSQL's trigram index serves ``LIKE '%…%'`` (Django's ``contains``). On SQLite the
    FTS5 trigram table answers a phrase of three characters or more as a substring from the
    index alone (``MATCH 'column:"…"'``, a quoted phrase: nothing typed is read as query
    syntax); a shorter text, which has no trigram, is compared by ``GLOB '*…*'`` over the
    table, GLOB's own wildcards matched literally by enclosing them in brackets.
    """
    if connection.vendor != "sqlite":
        return "%" + connection.ops.prep_for_like_query(text) + "%"
    if by_trigrams(text):
        return f'{column}:"' + text.replace('"', '""') + '"'
    return "*" + re.sub(r"([*?\[])", r"[\1]", text) + "*"


def holding(column: str, term: str, trigrams: bool) -> Q:
    """Rows whose search column matches ``term`` (``search_term``; ``trigrams``: whether its
    text is ``by_trigrams``), the term passed to the database as it is, so that a compiled
    query (``CompiledQuery``) can run again with another."""
    if connection.vendor != "sqlite":
        return Q(_LikePattern(F(column), term))
    # The table and column are this module's constants; the term is a parameter.
    if trigrams:
        sql = f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s"
    else:
        sql = f"SELECT rowid FROM {SQLITE_TABLE} WHERE {column} GLOB %s"
    return Q(pk__in=RawSQL(sql, (term,)))  # noqa: S611


class _LikePattern(Contains):
    """``contains`` (the same SQL, so the same index) given its LIKE pattern ready-made."""

    def process_rhs(self, compiler, connection):
        return BuiltinLookup.process_rhs(self, compiler, connection)
