"""The plan the database chooses for a query, for tests that ask whether an index serves it."""

from django.db import connection


def plan_lines(sql: str, params=()) -> list[str]:
    """The plan's lines: PostgreSQL's ``EXPLAIN`` with sequential scans off (on a handful of
    rows a scan is cheaper; the tests ask whether the index serves), SQLite's ``EXPLAIN QUERY
    PLAN`` details."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


def query_plan(sql: str, params=()) -> str:
    return "\n".join(plan_lines(sql, params))
