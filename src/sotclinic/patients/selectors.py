"""Reads for the staff patient pages: the search list and duplicate checks. A patient's
appointments are scheduling's to read (``scheduling.selectors``)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sotclinic import clinic_locale

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


def search_patients(raw: str) -> QuerySet[Patient]:
    """Patients matching the search box, by last and first name
    (``scheduling.selectors.next_appointments`` reads a page's next appointments).

    Names and e-mail addresses compare without case or accents, phone numbers by their digits,
    each through the index on the patient's search columns (``Patient.fill_search_columns``).
    """
    query = parse_query(raw)
    patients = Patient.objects.all()
    if query.kind == "dob":
        patients = patients.filter(date_of_birth=query.date)
    elif query.kind == "email":
        patients = patients.filter(search_index.containing("search_email", fold(query.text)))
    elif query.kind == "phone":
        matches = search_index.containing("search_phone", query.digits)
        if query.stored_digits:
            matches |= search_index.containing("search_phone", query.stored_digits)
        patients = patients.filter(matches)
    elif query.kind == "name":
        words = name_words(query.text)
        match = Q()
        for word in words:
            match &= search_index.containing("search_name", word)
        if len(words) == 1:  # one word may also be (part of) an e-mail address's local part
            match |= _in_local_part(words[0])
        patients = patients.filter(match)
    return patients.order_by("last_name", "first_name", "id")


def name_words(text: str) -> list[str]:
    """The folded words of a name as typed, also in the list's "Last, First" form."""
    return [word for word in _NAME_SEPARATORS.split(fold(text)) if word]


def _in_local_part(word: str) -> Q:
    """Patients whose e-mail address holds ``word`` before its "@" (through the index)."""
    return search_index.containing("search_email", word) & Q(
        search_email__regex=rf"^[^@]*{re.escape(word)}"
    )


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
