"""Count database queries for Prometheus, on SQLite and PostgreSQL alike.

django-prometheus counts queries by swapping the database ENGINE for its own wrappers; on SQLite
those build a new cursor class for every query (about 0.2 ms each, measured), and they replace
the backends whose options (IMMEDIATE transactions, init commands) the app relies on. An execute
wrapper on each new connection counts into django-prometheus's own series instead, whatever
the backend: ``django_db_execute_total`` and ``django_db_errors_total``.
"""

from django_prometheus.db import errors_total, execute_total


def count_queries(sender, connection, **kwargs) -> None:
    """On each new database connection, put the counting wrapper first (once).

    First, not last: ``connection.execute_wrapper()`` removes the last wrapper when its block
    ends, and a connection opened inside such a block must not lose that block's wrapper.
    """
    if any(getattr(w, "counts_queries", False) for w in connection.execute_wrappers):
        return
    connection.execute_wrappers.insert(0, _counter(connection.alias, connection.vendor))


def _counter(alias: str, vendor: str):
    executed = execute_total.labels(alias, vendor)

    def wrapper(execute, sql, params, many, context):
        executed.inc(len(params) if many and hasattr(params, "__len__") else 1)
        try:
            return execute(sql, params, many, context)
        except Exception as exc:
            errors_total.labels(alias, vendor, type(exc).__name__).inc()
            raise

    wrapper.counts_queries = True
    return wrapper
