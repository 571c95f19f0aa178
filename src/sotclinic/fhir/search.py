"""FHIR search: the parameters each resource type takes, and the matching resources.

Supported: ``_id`` (comma-separated ids), ``patient`` (``Patient/12`` or ``12``), a date
parameter (``date``; ``authored`` for QuestionnaireResponse, ``recorded-date`` for Condition)
with the prefixes eq, ge, gt, le, lt and a year, month, day or instant (a value without a time
zone is read on the clinic's clock, ``scheduling.selectors.clinic_zone``), ``status``
(comma-separated FHIR codes), and ``_count`` with ``_offset`` for paging. Any other parameter is
refused (400) rather than ignored, so a client never mistakes an unfiltered answer for a
filtered one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, Q, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.encounter import Encounter as FhirEncounter
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from sotclinic.charting.diagnosis_codes import describe
from sotclinic.charting.selectors import visit_records
from sotclinic.intake.instruments import InstrumentError, default_registry
from sotclinic.intake.selectors import questionnaire_responses
from sotclinic.patients.selectors import patient_records
from sotclinic.scheduling.selectors import (
    appointment_records,
    clinic_locations,
    clinic_practitioners,
    clinic_zone,
)

from . import codes, resources

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING = frozenset({"_count", "_offset", "_format"})


class BadSearch(ValueError):
    """A search parameter cannot be used; the message says which and why."""


@dataclass(frozen=True)
class DateRange:
    """A date search value as the half-open interval [start, end) it covers, with its prefix."""

    prefix: str
    start: dt.datetime
    end: dt.datetime

    def q(self, column: str) -> Q:
        return {
            "eq": Q(**{f"{column}__gte": self.start, f"{column}__lt": self.end}),
            "ge": Q(**{f"{column}__gte": self.start}),
            "gt": Q(**{f"{column}__gte": self.end}),
            "le": Q(**{f"{column}__lt": self.end}),
            "lt": Q(**{f"{column}__lt": self.start}),
        }[self.prefix]


_DATE = re.compile(r"^(eq|ge|gt|le|lt)?(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$")


def parse_date(raw: str, zone: dt.tzinfo) -> DateRange:
    """``ge2024-03``, ``2024-03-05``, ``lt2024-03-05T10:00:00Z`` … as a DateRange. A value
    without a time zone (a year, month or day, or a time without one) is read in ``zone``: the
    day 2024-03-05 is that day on the clinic's clock, however long it is there."""
    match = _DATE.match(raw.strip())
    if not match:
        raise BadSearch(f"date: {raw!r} is not a FHIR date (e.g. ge2024-03-01)")
    prefix, year, month, day, time = match.groups()
    try:
        if time:
            start = dt.datetime.fromisoformat(f"{year}-{month}-{day}{time}")
            if start.tzinfo is None:
                start = start.replace(tzinfo=zone)
            end = start + dt.timedelta(seconds=1)
        elif day:
            first = dt.date(int(year), int(month), int(day))
            start, end = _midnight(first, zone), _midnight(first + dt.timedelta(days=1), zone)
        elif month:
            first = dt.date(int(year), int(month), 1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            start, end = _midnight(first, zone), _midnight(following, zone)
        else:
            first = dt.date(int(year), 1, 1)
            start, end = _midnight(first, zone), _midnight(first.replace(year=first.year + 1), zone)
    except (ValueError, OverflowError) as error:
        raise BadSearch(f"date: {raw!r} is not a real date") from error
    return DateRange(prefix or "eq", start, end)


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _patient_id(raw: str) -> int:
    value = raw.strip().removeprefix("Patient/")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise BadSearch(f"patient: {raw!r} is not a patient id (e.g. Patient/12)")
    return int(value)


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise BadSearch(f"{name}: {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise BadSearch(f"{name}: must be between {low} and {high}")
    return value


@dataclass
class Search:
    """The parsed search parameters of one request."""

    ids: set[str] | None = None
    patient: int | None = None
    # The compartments of these patients only (an export's batch); None for every patient.
    patients: list[int] | None = None
    dates: list[DateRange] = field(default_factory=list)
    statuses: set[str] | None = None
    count: int = DEFAULT_COUNT
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    """One matching resource and the patient whose data it is (None for the clinic's own)."""

    resource: object
    patient_id: int | None


class Paged(Sequence):
    """Matches the database counts and pages: ``len()`` is one counting query, a slice loads
    only that page, so neither grows with the number of matches."""

    CHUNK = MAX_COUNT

    def __init__(self, count: Callable[[], int], load: Callable[[int, int], list[Hit]]) -> None:
        self._count = count
        self._load = load
        self._total: int | None = None

    def __len__(self) -> int:
        if self._total is None:
            self._total = self._count()
        return self._total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            return self._load(start, stop - start) if stop > start else []
        hits = self._load(index, 1) if 0 <= index < len(self) else []
        if not hits:
            raise IndexError(index)
        return hits[0]

    def __iter__(self) -> Iterator[Hit]:
        for start in range(0, len(self), self.CHUNK):
            yield from self[start : start + self.CHUNK]


@dataclass(frozen=True)
class Kind:
    """How one resource type is searched: which parameters it takes, and its matches."""

    date_param: str | None
    patient_param: bool
    statuses: tuple[str, ...]
    find: Callable[[Search], Sequence[Hit]]


def parse(kind: Kind, query) -> Search:
    """The request's query parameters (a QueryDict) read for ``kind``; BadSearch if unusable."""
    allowed = {"_id", *PAGING}
    if kind.patient_param:
        allowed.add("patient")
    if kind.date_param:
        allowed.add(kind.date_param)
    if kind.statuses:
        allowed.add("status")
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise BadSearch(
            f"unsupported search parameter {unknown[0]!r}; this type takes "
            + ", ".join(sorted(allowed))
        )
    search = Search()
    for name in query:
        values = query.getlist(name)
        if name in ("_count", "_offset", "_id", "patient", "status") and len(values) > 1:
            raise BadSearch(f"{name}: give it once (comma-separate several values)")
    if "_id" in query:
        search.ids = {value for value in query["_id"].split(",") if value}
    if "patient" in query:
        search.patient = _patient_id(query["patient"])
    if kind.date_param and kind.date_param in query:
        zone = clinic_zone() or timezone.get_default_timezone()
        search.dates = [parse_date(value, zone) for value in query.getlist(kind.date_param)]
    if "status" in query:
        statuses = {value for value in query["status"].split(",") if value}
        wrong = sorted(statuses - set(kind.statuses))
        if wrong:
            raise BadSearch(
                f"status: {wrong[0]!r} is not a status of this type ({', '.join(kind.statuses)})"
            )
        search.statuses = statuses
    if "_count" in query:
        search.count = _int("_count", query["_count"], 1, MAX_COUNT)
    if "_offset" in query:
        search.offset = _int("_offset", query["_offset"], 0, 10**9)
    return search


def _db_ids(search: Search) -> list[int] | None:
    """The row numbers ``_id`` names, as the resources' ids are written: "012" is not "12"."""
    if search.ids is None:
        return None
    return [
        int(v)
        for v in search.ids
        if v.isascii() and v.isdigit() and len(v) <= 18 and str(int(v)) == v
    ]


def _by_ids(queryset, search: Search):
    ids = _db_ids(search)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def _of_patients(queryset, search: Search, column: str = "patient_id"):
    if search.patient is not None:
        queryset = queryset.filter(**{column: search.patient})
    if search.patients is not None:
        queryset = queryset.filter(**{f"{column}__in": search.patients})
    return queryset


def _keep(search: Search, resource_id: str, status: str | None) -> bool:
    """For the types listed from code rather than rows (Questionnaire): the ``_id`` and
    ``status`` filters."""
    if search.ids is not None and resource_id not in search.ids:
        return False
    return search.statuses is None or status in search.statuses


# --- the types ---------------------------------------------------------------------------------


def _patients(search: Search) -> list[Hit]:
    rows = _of_patients(_by_ids(patient_records(), search), search, "pk")
    return [Hit(resources.patient(p), p.pk) for p in rows]


def _practitioners(search: Search) -> list[Hit]:
    return [Hit(resources.practitioner(p), None) for p in _by_ids(clinic_practitioners(), search)]


def _locations(search: Search) -> list[Hit]:
    return [Hit(resources.location(p), None) for p in _by_ids(clinic_locations(), search)]


_APPOINTMENT_STATUS_BACK = {fhir: ours for ours, fhir in codes.APPOINTMENT_STATUS.items()}


def _appointments(search: Search) -> list[Hit]:
    rows = _of_patients(_by_ids(appointment_records(), search), search)
    for date in search.dates:
        rows = rows.filter(date.q("start"))
    if search.statuses is not None:
        rows = rows.filter(
            status__in=[_APPOINTMENT_STATUS_BACK.get(s, "") for s in search.statuses]
        )
    return [Hit(resources.appointment(a), a.patient_id) for a in rows]


def _visits(search: Search, ids: list[int] | None = None):
    rows = visit_records()
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return _of_patients(rows, search)


def _signing(statuses: set[str], status_when_signed: dict[bool, str]) -> Q:
    """The visits whose resource status (``status_when_signed``: the code for a signed note,
    True, and for a draft, False) is one of ``statuses``."""
    wanted = Q(pk__in=[])
    for signed, status in status_when_signed.items():
        if status in statuses:
            wanted |= Q(note__signed_at__isnull=not signed)
    return wanted


def _encounters(search: Search) -> Sequence[Hit]:
    """Every visit, finished once its note is signed (`resources.encounter`), filtered, counted
    and paged by the database."""
    rows = _visits(search, _db_ids(search))
    for date in search.dates:
        rows = rows.filter(date.q("started_at"))
    if search.statuses is not None:
        rows = rows.filter(_signing(search.statuses, codes.ENCOUNTER_STATUS))
    return Paged(
        rows.order_by().count,
        lambda offset, limit: [
            Hit(resources.encounter(visit), visit.patient_id)
            for visit in rows[offset : offset + limit]
        ],
    )


def _id_numbers(search: Search, pattern: str) -> list[int] | None:
    """The visit or response numbers named by ``_id`` values that match ``pattern``."""
    if search.ids is None:
        return None
    numbers = []
    for value in search.ids:
        match = re.fullmatch(pattern, value)
        if match and len(match.group(1)) <= 18:
            numbers.append(int(match.group(1)))
    return numbers


class JsonArrayLength(Func):
    """The number of elements of a JSON array column (SQLite and PostgreSQL)."""

    output_field = IntegerField()
    FUNCTIONS = {"postgresql": "JSONB_ARRAY_LENGTH"}

    def as_sql(self, compiler, connection, **extra):
        extra["function"] = self.FUNCTIONS.get(connection.vendor, "JSON_ARRAY_LENGTH")
        return super().as_sql(compiler, connection, **extra)


def _condition_hits(visits, search: Search, first: int = 0, last: int | None = None) -> list[Hit]:
    """The Conditions of ``visits`` (with ``codes`` and ``before``: the number of diagnosis
    codes of each, and of the visits listed ahead of it), those at positions first…last only,
    and only those named by ``_id`` if it was given."""
    visits = list(visits)
    # One look-up of the code lists' titles for the whole page, not one per visit.
    described = iter(describe([c for visit in visits for c in visit.note.diagnosis_codes]))
    hits = []
    for visit in visits:
        for index in range(visit.codes):
            code = next(described)
            position = visit.before + index
            if position < first or (last is not None and position >= last):
                continue
            resource = resources.condition(visit, index, code)
            if search.ids is None or resource.id in search.ids:
                hits.append(Hit(resource, visit.patient_id))
    return hits


def _conditions(search: Search) -> Sequence[Hit]:
    """One Condition per diagnosis code of a visit's note (id ``<visit>-<n>``), in visit order;
    recorded when the note was signed (a draft: when it was last saved)."""
    rows = (
        _visits(search, _id_numbers(search, r"(\d+)-\d+"))
        .filter(note__isnull=False)
        .annotate(
            codes=JsonArrayLength("note__diagnosis_codes"),
            recorded=Coalesce("note__signed_at", "note__updated_at"),
        )
        .filter(codes__gt=0)
    )
    for date in search.dates:
        rows = rows.filter(date.q("recorded"))
    if search.ids is not None:  # a handful of named visits, read whole
        return _condition_hits(rows.annotate(before=Value(0)), search)
    # Each visit's first position in the listing: the codes of the visits before it.
    rows = rows.annotate(before=Window(Sum("codes"), order_by=F("id").asc()) - F("codes"))

    def load(offset: int, limit: int) -> list[Hit]:
        page = rows.filter(before__lt=offset + limit).exclude(before__lte=offset - F("codes"))
        return _condition_hits(page, search, offset, offset + limit)

    return Paged(lambda: rows.aggregate(total=Sum("codes"))["total"] or 0, load)


# The Observations a visit's note gives (in this order), and the NPRS questionnaires after all
# of them: (source, row id, part) orders the listing.
PAIN, SOT_CATEGORY, SOT_SIDE = 0, 1, 2
VISITS, RESPONSES = 0, 1


def _observation_keys(search: Search):
    """The (source, row id, part) of every matching Observation, as one SQL union."""
    visits = _of_patients(visit_records().order_by().filter(note__isnull=False), search)
    for date in search.dates:
        visits = visits.filter(date.q("started_at"))
    if search.statuses is not None:
        visits = visits.filter(_signing(search.statuses, codes.OBSERVATION_STATUS))
    parts = [
        (PAIN, "pain", Q(note__pain_score__isnull=False)),
        (SOT_CATEGORY, codes.SOT_CATEGORY, ~Q(note__exam__confirmed_category="")),
        (SOT_SIDE, codes.SOT_SIDE, ~Q(note__exam__confirmed_side="")),
    ]
    keys = []
    for part, prefix, present in parts:
        rows = visits.filter(present, note__exam__isnull=False) if part else visits.filter(present)
        named = _id_numbers(search, rf"{re.escape(prefix)}-(\d+)")
        if named is not None:
            rows = rows.filter(pk__in=named)
        keys.append(
            rows.annotate(source=Value(VISITS), key=F("pk"), part=Value(part)).values_list(
                "source", "key", "part"
            )
        )
    responses = questionnaire_responses().order_by().filter(instrument_id="nprs")
    named = _id_numbers(search, r"nprs-(\d+)")
    if named is not None:
        responses = responses.filter(pk__in=named)
    responses = _of_patients(responses, search)
    for date in search.dates:
        responses = responses.filter(date.q("administered_at"))
    if search.statuses is not None and "final" not in search.statuses:
        responses = responses.none()
    keys.append(
        responses.annotate(source=Value(RESPONSES), key=F("pk"), part=Value(0)).values_list(
            "source", "key", "part"
        )
    )
    return keys[0].union(*keys[1:], all=True)


def _observation_page(keys) -> list[Hit]:
    keys = list(keys)
    visits = visit_records().in_bulk([key for source, key, _ in keys if source == VISITS])
    responses = questionnaire_responses().in_bulk(
        [key for source, key, _ in keys if source == RESPONSES]
    )
    hits = []
    for source, key, part in keys:
        if source == RESPONSES:
            response = responses[key]
            hits.append(Hit(resources.nprs_observation(response), response.patient_id))
            continue
        visit = visits[key]
        if part == PAIN:
            resource = resources.note_pain_observation(visit)
        else:
            resource = resources.sot_observation(
                visit, codes.SOT_CATEGORY if part == SOT_CATEGORY else codes.SOT_SIDE
            )
        hits.append(Hit(resource, visit.patient_id))
    return hits


def _observations(search: Search) -> Sequence[Hit]:
    """A note's pain score and the SOT category and side the practitioner confirmed, visit
    by visit; then every NPRS questionnaire."""
    keys = _observation_keys(search)
    ordered = keys.order_by("source", "key", "part")
    return Paged(
        keys.count, lambda offset, limit: _observation_page(ordered[offset : offset + limit])
    )


def _questionnaires(search: Search) -> list[Hit]:
    registry = default_registry()
    current = {instrument.key for instrument in registry.current()}
    hits = []
    shipped = registry.keys()  # every (id, version) that ships, old versions too
    for key in shipped:
        resource = resources.questionnaire(registry.get(*key), key in current)
        if _keep(search, resource.id, resource.status):
            hits.append(Hit(resource, None))
    return hits


def _questionnaire_responses(search: Search) -> list[Hit]:
    rows = _of_patients(_by_ids(questionnaire_responses(), search), search)
    for date in search.dates:
        rows = rows.filter(date.q("administered_at"))
    registry = default_registry()
    hits = []
    for row in rows:
        try:
            instrument = registry.get(row.instrument_id, row.instrument_version)
        except InstrumentError:
            instrument = None
        hits.append(Hit(resources.questionnaire_response(row, instrument), row.patient_id))
    return hits


def _statuses(model) -> tuple[str, ...]:
    """Every code of the type's status value set (a required binding), as fhir.resources
    declares it: a search may name any of them, matched or not."""
    return tuple(codes.value_set(model, "status"))


KINDS = {
    "Patient": Kind(None, False, (), _patients),
    "Practitioner": Kind(None, False, (), _practitioners),
    "Location": Kind(None, False, (), _locations),
    "Appointment": Kind("date", True, _statuses(FhirAppointment), _appointments),
    "Encounter": Kind("date", True, _statuses(FhirEncounter), _encounters),
    "Condition": Kind("recorded-date", True, (), _conditions),
    "Observation": Kind("date", True, _statuses(FhirObservation), _observations),
    "Questionnaire": Kind(None, False, _statuses(FhirQuestionnaire), _questionnaires),
    "QuestionnaireResponse": Kind(
        "authored", True, _statuses(FhirQuestionnaireResponse), _questionnaire_responses
    ),
}
