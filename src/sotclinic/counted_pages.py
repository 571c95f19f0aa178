"""A page of a list whose total is read with its rows.

Django's Paginator counts the matching rows in one query and reads the page in another, and
each of the two finds every match again (on PostgreSQL, a scan of the table for a common name).
``COUNT(*) OVER ()`` puts the total on every row of the page, so one query does both; only a
page without rows (nothing matches, or the number is past the end) needs the count as well.
A list of a whole table keeps the two queries (see ``counted_page``).

``compiled_counted_page`` does the same for a query compiled once (``CompiledQuery``), and
finds the matches once for both: the page and the count read them from a common table
expression (a search for "smith" among 5,000 patients on SQLite: 0.65 ms instead of 0.9 ms,
where the window had every match carried, with all its columns, to a full sort).
"""

from collections import namedtuple
from collections.abc import Sequence
from functools import cache

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from sotclinic.compiled_queries import CompiledQuery

# The column that carries the total on each row read.
TOTAL = "rows_in_all"


def counted_page(rows: QuerySet, fields: Sequence[str], number: int, per_page: int) -> Page:
    """Page ``number`` (from 1; past the end, the last page) of ``rows`` as named rows of
    ``fields``: what ``Paginator(rows.values_list(*fields, named=True), per_page)
    .get_page(number)`` gives, the count exact, in one query instead of two."""
    if not rows.query.has_filters():
        # A whole table: counting it is cheap and its page is read through the index of its
        # order, where the total on each row would have every row read (5,000 patients:
        # 3.5 ms more on SQLite).
        return Paginator(rows.values_list(*fields, named=True), per_page).get_page(number)
    listed = rows.annotate(**{TOTAL: Window(Count("*"))}).values_list(*fields, TOTAL, named=True)
    paginator = Paginator(listed, per_page)
    found = list(listed[(number - 1) * per_page : number * per_page])
    if found or number == 1:
        # A cached property: the total read with the rows (none on the first page: no rows).
        paginator.count = getattr(found[0], TOTAL) if found else 0
        return Page(found, number, paginator)
    return paginator.get_page(number)


def compiled_counted_page(
    query: CompiledQuery,
    values: tuple,
    shape: dict,
    fields: Sequence[str],
    order: Sequence[str],
    number: int,
    per_page: int,
) -> Page | None:
    """``counted_page`` of the rows ``query.build(*values, **shape)`` finds (a ``values_list``
    of ``fields``, unordered) in the order of ``order`` (names among ``fields``), run as SQL
    compiled once per shape. None when the page has no rows past the first (its number is past
    the end: the caller's ``counted_page`` gives the last page) or when ``CompiledQuery``
    leaves a value to Django's own queryset."""
    fields = tuple(fields)
    by = ", ".join(str(fields.index(name) + 1) for name in order)
    # Column numbers from the names given; every value is a parameter.
    head = "WITH found AS ({query}) SELECT *, (SELECT COUNT(*) FROM found) FROM found"
    statement = f"{head} ORDER BY {by} LIMIT %s OFFSET %s"  # noqa: S608
    found = query.rows_within(statement, (per_page, (number - 1) * per_page), *values, **shape)
    if found is None or (not found and number > 1):
        return None
    row = _row_class(fields)
    paginator = Paginator([], per_page)
    paginator.count = found[0][-1] if found else 0  # a cached property: the total read with them
    return Page([row._make(r[:-1]) for r in found], number, paginator)


@cache
def _row_class(fields: tuple[str, ...]):
    return namedtuple("Row", fields)
