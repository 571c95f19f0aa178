"""``counted_page`` (and ``compiled_counted_page``) give the page ``Paginator.get_page`` gives,
its total read with its rows."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotclinic.compiled_queries import CompiledQuery
from sotclinic.counted_pages import compiled_counted_page, counted_page
from sotclinic.patients.models import Patient
from tests.factories import make_patient

pytestmark = pytest.mark.django_db

FIELDS = ("id", "last_name")


def _patients(count: int):
    make_patient(last_name="Other")
    for n in range(count):
        make_patient(last_name=f"Row{n:02d}")
    return Patient.objects.filter(last_name__startswith="Row").order_by("last_name", "id")


def _as_paginator_gives(rows, number: int, per_page: int):
    page = Paginator(rows.values_list(*FIELDS, named=True), per_page).get_page(number)
    return page.number, page.paginator.count, page.paginator.num_pages, list(page.object_list)


@pytest.mark.parametrize("whole_table", [False, True])
@pytest.mark.parametrize("number", [1, 2, 3, 4, 9])
def test_each_page_and_count_are_the_paginators(number, whole_table):
    rows = _patients(7)
    if whole_table:
        rows = Patient.objects.order_by("last_name", "id")

    page = counted_page(rows, FIELDS, number, per_page=3)

    number_, count, pages, listed = _as_paginator_gives(rows, number, 3)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (number_, count, pages)
    assert [tuple(row)[: len(FIELDS)] for row in page.object_list] == [tuple(r) for r in listed]


def test_a_page_with_rows_is_read_with_its_total_in_one_query():
    rows = _patients(7)

    with CaptureQueriesContext(connection) as queries:
        page = counted_page(rows, FIELDS, 2, per_page=3)
        total, last = page.paginator.count, page.paginator.num_pages

    assert (total, last, len(page.object_list)) == (7, 3, 3)
    assert len(queries) == 1


def test_a_whole_table_is_counted_apart_and_its_page_read_without_the_total():
    _patients(7)

    with CaptureQueriesContext(connection) as queries:
        page = counted_page(Patient.objects.order_by("last_name", "id"), FIELDS, 2, per_page=3)
        total = page.paginator.count
        listed = list(page.object_list)

    assert (total, len(listed)) == (8, 3)
    assert len(queries) == 2
    assert not any("OVER" in query["sql"] for query in queries)


def test_nothing_found_is_an_empty_first_page_of_a_count_of_none():
    with CaptureQueriesContext(connection) as queries:
        page = counted_page(Patient.objects.filter(last_name="None"), FIELDS, 1, per_page=3)

    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
    assert not page.has_other_pages()
    assert len(queries) == 1


def _by_last_name(low, high):
    rows = Patient.objects.filter(last_name__gte=low, last_name__lt=high)
    return rows.order_by().values_list(*FIELDS)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_compiled_page_and_count_are_the_paginators_in_one_query(number):
    rows = _patients(7)
    query = CompiledQuery(_by_last_name)

    with CaptureQueriesContext(connection) as queries:
        page = compiled_counted_page(
            query, ("Row", "Rox"), {}, FIELDS, ("last_name", "id"), number, 3
        )
        total, pages = page.paginator.count, page.paginator.num_pages

    number_, count, pages_, listed = _as_paginator_gives(rows, number, 3)
    assert (page.number, total, pages) == (number_, count, pages_)
    assert [tuple(row) for row in page.object_list] == [tuple(r) for r in listed]
    assert [row.last_name for row in page.object_list] == [r.last_name for r in listed]
    assert len(queries) == 1


def test_a_compiled_page_runs_again_with_other_values_and_finds_nothing_on_its_first_page():
    _patients(4)
    query = CompiledQuery(_by_last_name)
    compiled_counted_page(query, ("Row", "Rox"), {}, FIELDS, ("last_name", "id"), 1, 3)

    page = compiled_counted_page(query, ("Other", "Otherz"), {}, FIELDS, ("last_name", "id"), 1, 3)
    nothing = compiled_counted_page(query, ("None", "Nonez"), {}, FIELDS, ("last_name", "id"), 1, 3)

    assert [row.last_name for row in page.object_list] == ["Other"]
    assert page.paginator.count == 1
    assert (nothing.paginator.count, list(nothing.object_list)) == (0, [])


def test_a_compiled_page_past_the_end_is_left_to_counted_page():
    _patients(4)
    query = CompiledQuery(_by_last_name)

    assert (
        compiled_counted_page(query, ("Row", "Rox"), {}, FIELDS, ("last_name", "id"), 3, 3) is None
    )
