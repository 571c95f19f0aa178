"""Reads for the staff patient pages: the search list and duplicate checks. A patient's
appointments are scheduling's to read (``scheduling.selectors``)."""

import datetime as dt
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from django.core.paginator import Page
from django.db.models import Q, QuerySet

from sotclinic import clinic_locale
from sotclinic.compiled_queries import CompiledQuery
from sotclinic.counted_pages import compiled_counted_page, counted_page

from . import search_index
from .models import Patient
from .phones import stored_digits
from .search import digits, fold

_PHONE_QUERY = re.compile(r"^[\d\s().+/-]+$")
_NAME_SEPARATORS = re.compile(r"[\s,;]+")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")


@dataclass(frozen=True)
class PatientQuery:
    """What a search box entry means: one of name, e-mail, phone or date of birth."""

    kind: str  # "all", "name", "email", "phone" or "dob"
    text: str = ""
    digits: str = ""
    # The digits as stored (E.164) when typed in the national form, e.g. "0117 496" -> "44117496".
    stored_digits: str = ""
    date: dt.date | None = None


def parse_query(raw: str) -> PatientQuery:
    """Read the search box.

    A date of birth is ``YYYY-MM-DD`` or typed in the clinic's date-of-birth order
    (``DD/MM/YYYY`` or ``DD.MM.YYYY`` day first, ``MM/DD/YYYY`` month first); anything with an
    ``@`` is an e-mail; digits with phone separators (three digits or more) are a phone number,
    compared digits only (also typed with the national or the international call prefix); the
    rest is a name, each word (between spaces, commas or semicolons, so the list's "Clarke,
    Henry" works) matching the start, middle or end of the first or last name, and a single
    word also the local part of an e-mail address ("h.clarke").
    """
    text = " ".join(raw.split())
    if not text:
        return PatientQuery("all")
    if _DATE_LIKE.match(text):
        for date_format in clinic_locale.dob_input_formats():
            try:
                born = dt.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
            return PatientQuery("dob", text, date=born)
    if "@" in text:
        return PatientQuery("email", text)
    typed_digits = digits(text)
    if _PHONE_QUERY.match(text) and len(typed_digits) >= 3:
        return PatientQuery("phone", text, digits=typed_digits, stored_digits=stored_digits(text))
    return PatientQuery("name", text)


# The order of the search list.
SEARCH_ORDER = ("last_name", "first_name", "id")
# A search of more terms than this is built each time rather than compiled and kept.
_MOST_TERMS_COMPILED = 4


def search_patients(raw: str) -> QuerySet[Patient]:
    """Patients matching the search box, by last and first name
    (``scheduling.selectors.next_appointments`` reads a page's next appointments).

    Names and e-mail addresses compare without case or accents, phone numbers by their digits,
    each through the index on the patient's search columns (``Patient.fill_search_columns``).
    """
    values, shape = _search_terms(parse_query(raw))
    return _matching(*values, **shape).order_by(*SEARCH_ORDER)


# The search's page query for each set of fields read.
_PAGE_QUERIES: dict[tuple[str, ...], CompiledQuery] = {}


def search_page(raw: str, fields: Sequence[str], number: int, per_page: int) -> Page:
    """Page ``number`` of ``search_patients(raw)`` as named rows of ``fields`` with the count
    of all matches (``counted_pages``), its SQL compiled once per form of search."""
    values, shape = _search_terms(parse_query(raw))
    fields = tuple(fields)
    if shape["kind"] == "all" or len(values) > _MOST_TERMS_COMPILED:
        return _counted_page(values, shape, fields, number, per_page)
    query = _PAGE_QUERIES.get(fields)
    if query is None:
        query = _PAGE_QUERIES[fields] = CompiledQuery(
            lambda *values, **shape: _matching(*values, **shape).order_by().values_list(*fields)
        )
    page = compiled_counted_page(query, values, shape, fields, SEARCH_ORDER, number, per_page)
    if page is None:  # a number past the last page: the last page, as Paginator gives
        return _counted_page(values, shape, fields, number, per_page)
    return page


def _counted_page(values: tuple, shape: dict, fields: tuple[str, ...], number: int, per_page: int):
    found = _matching(*values, **shape).order_by(*SEARCH_ORDER)
    return counted_page(found, fields, number, per_page)


def _search_terms(query: PatientQuery) -> tuple[tuple, dict]:
    """The values ``_matching`` is given for ``query`` (what the database compares, as it
    compares them) and the form of the search: its ``kind``, the search column of each text
    term and whether the index answers it from its trigrams."""
    if query.kind == "dob":
        return (query.date,), {"kind": "dob", "columns": (), "trigrams": ()}
    if query.kind == "email":
        texts = [("search_email", fold(query.text))]
    elif query.kind == "phone":
        texts = [("search_phone", query.digits)]
        if query.stored_digits:
            texts.append(("search_phone", query.stored_digits))
    elif query.kind == "name":
        words = name_words(query.text)
        texts = [("search_name", word) for word in words]
        if len(words) == 1:  # one word may also be (part of) an e-mail address's local part
            texts.append(("search_email", words[0]))
    else:
        texts = []
    if not texts:  # nothing to compare ("all", or a name of separators only)
        return (), {"kind": "all", "columns": (), "trigrams": ()}
    values = [search_index.search_term(column, text) for column, text in texts]
    if query.kind == "name" and texts[-1][0] == "search_email":
        values.append(rf"^[^@]*{re.escape(texts[-1][1])}")  # the local part: before the "@"
    shape = {
        "kind": query.kind,
        "columns": tuple(column for column, _ in texts),
        "trigrams": tuple(search_index.by_trigrams(text) for _, text in texts),
    }
    return tuple(values), shape


def _matching(
    *values, kind: str, columns: tuple[str, ...], trigrams: tuple[bool, ...]
) -> QuerySet[Patient]:
    """The patients a search of ``_search_terms`` finds, unordered."""
    patients = Patient.objects.all()
    if kind == "dob":
        return patients.filter(date_of_birth=values[0])
    if kind == "all":
        return patients
    terms = [search_index.holding(*term) for term in zip(columns, values, trigrams, strict=False)]
    if kind == "name":
        words = columns.count("search_name")
        match = reduce(operator.and_, terms[:words])
        if words < len(terms):  # the one word, in an e-mail address's local part
            match |= terms[words] & Q(search_email__regex=values[-1])
        return patients.filter(match)
    return patients.filter(reduce(operator.or_, terms))  # an e-mail, or a phone number's forms


def name_words(text: str) -> list[str]:
    """The folded words of a name as typed, also in the list's "Last, First" form."""
    return [word for word in _NAME_SEPARATORS.split(fold(text)) if word]


def duplicates_of(email: str, date_of_birth: dt.date, exclude_pk: int | None = None):
    """Patients already registered with this e-mail (any case) and date of birth."""
    if not email or not date_of_birth:
        return Patient.objects.none()
    found = Patient.objects.with_email(email, date_of_birth)
    return found.exclude(pk=exclude_pk) if exclude_pk else found


def patient_records() -> QuerySet[Patient]:
    """Every patient, oldest record first (the order an export or an integrator pages through)."""
    return Patient.objects.order_by("id")


def same_person(
    *, email: str, first_name: str, last_name: str, date_of_birth: dt.date
) -> Patient | None:
    """The registered patient a record from elsewhere describes, or None.

    The same e-mail and date of birth (the rule registration refuses duplicates by); without an
    e-mail match, the same name (any case or accents) and date of birth, when only one patient
    has them."""
    found = duplicates_of(email, date_of_birth).first()
    if found is not None:
        return found
    named = list(
        Patient.objects.filter(
            search_name=fold(f"{first_name} {last_name}"), date_of_birth=date_of_birth
        )[:2]
    )
    return named[0] if len(named) == 1 else None
