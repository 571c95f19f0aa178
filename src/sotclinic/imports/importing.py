"""Importing an export of another practice system: patients, future appointments, opening
balances.

Every row goes through the owning app's own write (``register_patient`` and
``update_patient``, ``book_appointment``, ``post_opening_balance``), each in a savepoint, so a
refusal of the rules becomes that row's problem. The preview is the same run, rolled back;
the import is the same run, kept only when no row has a problem: all or nothing. What each
row became is recorded by the other system's id (``ExternalRecord``), so a second run of the
same file finds every row and changes nothing.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic import clinic_locale
from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access
from sotclinic.billing.amounts import to_minor
from sotclinic.billing.errors import BillingError
from sotclinic.billing.ledger import clinic_currency, post_opening_balance
from sotclinic.errors import DomainError
from sotclinic.patients.forms import PatientForm
from sotclinic.patients.search import fold
from sotclinic.patients.selectors import same_person
from sotclinic.patients.services import register_patient, update_patient
from sotclinic.scheduling.models import AppointmentType, Location, Practitioner
from sotclinic.scheduling.services import book_appointment

from .mapping import FIELDS, GENERIC, IGNORE, JOINED, PRESETS
from .models import ExternalRecord, RecordKind
from .reading import Table

CREATED, CHANGED, LINKED, UNCHANGED, SKIPPED = (
    "created",
    "changed",
    "linked",
    "unchanged",
    "skipped",
)
# Appointment states of the common exports that mean it will not happen.
CANCELLED_STATES = {
    "cancelled",
    "canceled",
    "deleted",
    "no show",
    "no-show",
    "noshow",
    "rescheduled",
}
_TIMES = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I %p")


class RowProblem(Exception):
    """What is wrong with one row, for the person fixing the file."""


@dataclass
class RowResult:
    line: int
    label: str = ""
    outcome: str = ""
    note: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult]
    committed: bool = False

    @property
    def problems(self) -> list[RowResult]:
        return [row for row in self.rows if row.problems]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome and not row.problems)


@dataclass(frozen=True)
class ImportRequest:
    """What to import: the parsed file, the field of each column, how the file writes dates,
    the other system's name, and whether times outside opening hours are accepted."""

    kind: str
    source: str
    table: Table
    fields: list[str]
    date_order: str
    accept_outside_hours: bool = False
    # What was imported before, by kind and id: filled by each run as it reads.
    records: dict = field(default_factory=dict, compare=False)


def source_label(source: str) -> str:
    preset = PRESETS.get(source)
    if preset:
        return preset.label
    prefix, _sep, name = source.partition(":")
    return name if prefix == GENERIC and name else _("another system")


def run_import(request: ImportRequest, *, by, address: str | None, commit: bool) -> ImportResult:
    """Check every row by writing it, then keep the writes only if ``commit`` and no row has a
    problem. One transaction; each row in a savepoint of its own."""
    now = timezone.now()
    rows = []
    request.records.clear()
    with transaction.atomic():
        seen: dict[str, int] = {}
        for line, values in request.table.rows:
            row = RowResult(line)
            rows.append(row)
            try:
                data = _values(request, values)
                _refuse_repeat(request.kind, data, line, seen)
                with transaction.atomic():
                    _IMPORTERS[request.kind](request, data, row, by=by, address=address, now=now)
            except _ROW_REFUSALS as refusal:
                row.problems.extend(_messages(refusal))
        result = ImportResult(rows)
        if commit and not result.problems:
            result.committed = True
        else:
            transaction.set_rollback(True)
    return result


_ROW_REFUSALS = (RowProblem, ValidationError, DomainError, BillingError)


def _messages(refusal: Exception) -> list[str]:
    """What a row's refusal says, for the person fixing the file."""
    if isinstance(refusal, ValidationError):
        return refusal.messages
    if isinstance(refusal, (DomainError, BillingError)):
        return [str(refusal.message)]
    return [str(refusal)]


# --- The check: every row tried and rolled back, a few rows per transaction -----------------

# Rows per rolled-back transaction of the check: on SQLite the write lock is held for about
# this many rows' writes at a time, and other writers go on in between.
CHECK_BATCH_ROWS = 25


def check_import(request: ImportRequest, *, by, address: str | None, on_progress) -> ImportResult:
    """What ``run_import`` would do with every row, keeping nothing, without holding a write
    transaction across the file: the rows are tried a few at a time (``CHECK_BATCH_ROWS``),
    each in a savepoint as in the import, in a transaction that is rolled back. The rows of
    earlier batches that passed and could meet a row of this batch (an appointment of the same
    practitioner that day; a patient of the same e-mail or name and date of birth) are written
    first, so the check finds what the import would: two rows booking one time, a second row
    of one person being linked. ``on_progress(done)`` is called after each batch, outside any
    transaction."""
    now = timezone.now()
    rows: list[RowResult] = []
    passed: list[tuple[set, dict]] = []
    seen: dict[str, int] = {}
    request.records.clear()
    everything = request.table.rows
    for first in range(0, len(everything), CHECK_BATCH_ROWS):
        batch = everything[first : first + CHECK_BATCH_ROWS]
        rows.extend(_check_batch(request, batch, passed, seen, by=by, address=address, now=now))
        on_progress(len(rows))
    return ImportResult(rows)


def _check_batch(request, batch, passed, seen, *, by, address, now) -> list[RowResult]:
    results, tried = [], []
    for line, values in batch:
        row = RowResult(line)
        results.append(row)
        try:
            data = _values(request, values)
            _refuse_repeat(request.kind, data, line, seen)
        except _ROW_REFUSALS as refusal:
            row.problems.extend(_messages(refusal))
        else:
            tried.append((row, data, _meeting_keys(request.kind, data)))
    keys = set().union(*(row_keys for _, _, row_keys in tried))
    importer = _IMPORTERS[request.kind]
    with transaction.atomic():
        # Each passed after the same rows before it, so it passes again.
        for earlier_keys, data in passed:
            if earlier_keys & keys:
                importer(request, data, RowResult(0), by=by, address=address, now=now)
        for row, data, row_keys in tried:
            try:
                with transaction.atomic():
                    importer(request, data, row, by=by, address=address, now=now)
            except _ROW_REFUSALS as refusal:
                row.problems.extend(_messages(refusal))
            else:
                passed.append((row_keys, data))
        transaction.set_rollback(True)
    return results


def _meeting_keys(kind: str, data: dict) -> set[tuple]:
    """What a row's outcome can depend on in earlier rows of the file: an appointment on the
    practitioner's day (no double booking), a patient on the e-mail or the name with the date
    of birth (``same_person``); an opening balance on nothing."""
    if kind == RecordKind.APPOINTMENT:
        day = re.split(r"[T ]", data.get("start", "").strip(), maxsplit=1)[0]
        name = re.sub(r"^(dr\.?|doctor)\s+", "", data.get("practitioner", ""), flags=re.I)
        return {("practitioner", fold(name), day)}
    if kind == RecordKind.PATIENT:
        born = data.get("date_of_birth", "")
        named = fold(f"{data.get('first_name', '')} {data.get('last_name', '')}")
        return {("email", born, data.get("email", "").lower()), ("name", born, named)}
    return set()


def _values(request: ImportRequest, values: list[str]) -> dict[str, str]:
    width = len(request.table.header)
    if len(values) > width and any(v.strip() for v in values[width:]):
        raise RowProblem(
            _("This row has %(found)s values but the header names %(width)s columns.")
            % {"found": len(values), "width": width}
        )
    data: dict[str, str] = {}
    for name, value in zip(request.fields, values, strict=False):
        value = " ".join(value.split()) if name not in JOINED else value.strip()
        if name == IGNORE or not value:
            continue
        data[name] = f"{data[name]}\n{value}" if name in data else value
    return data


def _refuse_repeat(kind: str, data: dict, line: int, seen: dict[str, int]) -> None:
    key = data.get("patient_id" if kind == RecordKind.OPENING_BALANCE else "external_id", "")
    if key in seen:
        raise RowProblem(
            _("The ID %(id)s is also on line %(line)s; each record may appear once.")
            % {"id": key, "line": seen[key]}
        )
    if key:
        seen[key] = line


def _required(data: dict, name: str, kind: str) -> str:
    if data.get(name):
        return data[name]
    label = next(f.label for f in FIELDS[kind] if f.name == name)
    raise RowProblem(_("%(field)s is empty.") % {"field": label})


def _date(text: str, order: str, what: str) -> dt.date:
    for pattern in clinic_locale.date_input_formats(order):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowProblem(
        _("%(what)s “%(value)s” is not a date written as %(pattern)s or YYYY-MM-DD.")
        % {"what": what, "value": text, "pattern": _DATE_PATTERNS[order]}
    )


_DATE_PATTERNS = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY/MM/DD"}


def _known_record(request: ImportRequest, kind: str, external_id: str) -> ExternalRecord | None:
    """The record imported before from this system, read with all of its kind in one query
    (a file repeats no id, so what this run adds is never looked up again in it)."""
    if kind not in request.records:
        request.records[kind] = {
            record.external_id: record
            for record in ExternalRecord.objects.select_related(
                "patient", "appointment", "entry"
            ).filter(source=request.source, kind=kind)
        }
    return request.records[kind].get(external_id)


def _fingerprint(data: dict) -> str:
    """What the row said, so a later run knows whether the old system's record changed."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _note_import(by, patient, what: str, source: str, address: str | None) -> None:
    record_access(
        by,
        patient,
        Action.IMPORT_RECORD,
        f"{what} from {source_label(source)}",
        address=address,
    )


# --- Patients --------------------------------------------------------------------------------


def _patient_data(request: ImportRequest, data: dict) -> dict:
    """The row as the staff patient form's cleaned data: its rules (names, dates of birth,
    e-mail, phone in E.164 as the patients app stores it) with the form's own messages."""
    form_data = {name: data.get(name, "") for name in PatientForm.Meta.fields}
    if data.get("date_of_birth"):
        born = _date(data["date_of_birth"], request.date_order, _("Date of birth"))
        form_data["date_of_birth"] = born.isoformat()
    form = PatientForm(data=form_data)
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[name].label}: {message}" if name in form.fields else message
                for name, messages in form.errors.items()
                for message in messages
            ]
        )
    mapped = set(request.fields)
    return {name: value for name, value in form.cleaned_data.items() if name in mapped}


def _import_patient(request: ImportRequest, data: dict, row: RowResult, *, by, address, now):
    external_id = _required(data, "external_id", request.kind)
    row.label = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
    cleaned = _patient_data(request, data)
    fingerprint = _fingerprint(data)
    known = _known_record(request, RecordKind.PATIENT, external_id)
    if known is not None:
        # The same row as last time changes nothing, also where staff have edited the record
        # here since; a row changed in the old system brings its changed values.
        changed = [name for name, value in cleaned.items() if getattr(known.patient, name) != value]
        if known.fingerprint == fingerprint or not changed:
            row.outcome = UNCHANGED
        else:
            update_patient(by, known.patient.pk, cleaned, address=address)
            _note_import(by, known.patient, "changes", request.source, address)
            row.outcome, row.note = (
                CHANGED,
                ", ".join(str(PatientForm.base_fields[name].label) for name in changed),
            )
        if known.fingerprint != fingerprint:
            known.fingerprint = fingerprint
            known.save(update_fields=["fingerprint"])
        return
    patient = same_person(
        email=cleaned.get("email", ""),
        first_name=cleaned["first_name"],
        last_name=cleaned["last_name"],
        date_of_birth=cleaned["date_of_birth"],
    )
    if patient is not None:
        row.outcome = LINKED
        row.note = _("already registered here; linked, details kept as they are")
    else:
        patient = register_patient(by, cleaned, address=address)
        row.outcome = CREATED
    ExternalRecord.objects.create(
        source=request.source,
        kind=RecordKind.PATIENT,
        external_id=external_id,
        fingerprint=fingerprint,
        patient=patient,
        imported_by=by,
    )
    _note_import(by, patient, "patient record", request.source, address)


# --- Appointments ----------------------------------------------------------------------------


def _imported_patient(request: ImportRequest, data: dict):
    patient_id = _required(data, "patient_id", request.kind)
    known = _known_record(request, RecordKind.PATIENT, patient_id)
    if known is None:
        raise RowProblem(
            _(
                "No patient with the ID %(id)s has been imported from %(system)s; import the "
                "patients file first."
            )
            % {"id": patient_id, "system": source_label(request.source)}
        )
    return known.patient


def _by_name(queryset, text: str, names, what: str):
    wanted = fold(re.sub(r"^(dr\.?|doctor)\s+", "", text.strip(), flags=re.I))
    found = [item for item in queryset if wanted in {fold(n) for n in names(item)}]
    if len(found) == 1:
        return found[0]
    known = ", ".join(sorted(names(item)[0] for item in queryset)) or "—"
    raise RowProblem(
        _("%(what)s “%(value)s” is not one here (known: %(known)s).")
        % {"what": what, "value": text, "known": known}
    )


def _practitioner_names(practitioner: Practitioner) -> list[str]:
    user = practitioner.user
    plain = re.sub(r"^(dr\.?|doctor)\s+", "", practitioner.display_name, flags=re.I)
    return [practitioner.display_name, plain, f"{user.first_name} {user.last_name}"]


def _start(request: ImportRequest, data: dict, location: Location) -> dt.datetime:
    text = _required(data, "start", request.kind)
    if "start_time" in data:
        day_text, time_text = text, data["start_time"]
    else:
        parts = re.split(r"[T ]", text, maxsplit=1)
        day_text, time_text = parts[0], (parts[1] if len(parts) > 1 else "")
    offset = re.search(r"(Z|[+-]\d{2}:?\d{2})$", time_text)
    if offset:
        try:
            return dt.datetime.fromisoformat(f"{day_text}T{time_text}".replace("Z", "+00:00"))
        except ValueError as error:
            raise RowProblem(
                _("Start “%(value)s” is not a date and time.") % {"value": text}
            ) from error
    day = _date(day_text, request.date_order, _("Start"))
    clock = " ".join(time_text.upper().replace(".", "").split())
    for pattern in _TIMES:
        try:
            time = dt.datetime.strptime(clock, pattern).time()
        except ValueError:
            continue
        return dt.datetime.combine(day, time, tzinfo=location.tz)
    raise RowProblem(
        _("Start time “%(value)s” is not a time such as 14:30 or 2:30 PM.")
        % {"value": time_text or "—"}
    )


def _import_appointment(request: ImportRequest, data: dict, row: RowResult, *, by, address, now):
    external_id = _required(data, "external_id", request.kind)
    patient = _imported_patient(request, data)
    row.label = patient.full_name
    known = _known_record(request, RecordKind.APPOINTMENT, external_id)
    if known is not None:
        if known.fingerprint != _fingerprint(data):
            raise RowProblem(
                _(
                    "This appointment changed in the old system since it was imported; change "
                    "it here by hand."
                )
            )
        row.outcome = UNCHANGED
        return
    if fold(data.get("status", "")) in CANCELLED_STATES:
        row.outcome, row.note = SKIPPED, _("cancelled in the old system")
        return
    practitioner = _by_name(
        Practitioner.objects.select_related("user").order_by("display_name"),
        _required(data, "practitioner", request.kind),
        _practitioner_names,
        _("Practitioner"),
    )
    kind = _by_name(
        AppointmentType.objects.order_by("name"),
        _required(data, "appointment_type", request.kind),
        lambda item: [item.name],
        _("Appointment type"),
    )
    locations = practitioner.locations.order_by("name")
    if data.get("location"):
        location = _by_name(locations, data["location"], lambda item: [item.name], _("Location"))
    elif len(locations) == 1:
        location = locations[0]
    else:
        raise RowProblem(
            _("%(practitioner)s works at several locations; map the location column.")
            % {"practitioner": practitioner.display_name}
        )
    start = _start(request, data, location)
    if start <= now:
        row.outcome, row.note = SKIPPED, _("in the past")
        return
    appointment = book_appointment(
        patient=patient,
        practitioner=practitioner,
        appointment_type=kind,
        location=location,
        start=start,
        outside_hours_by=by if request.accept_outside_hours else None,
        by=by,
        now=now,
        notify=False,
    )
    ExternalRecord.objects.create(
        source=request.source,
        kind=RecordKind.APPOINTMENT,
        external_id=external_id,
        fingerprint=_fingerprint(data),
        patient=patient,
        appointment=appointment,
        imported_by=by,
    )
    _note_import(by, patient, "appointment", request.source, address)
    row.outcome = CREATED


# --- Opening balances ------------------------------------------------------------------------

_MONEY_NOISE = re.compile(r"[^\d,.\-()]")


def parse_amount(text: str, currency: str) -> int:
    """Minor units of an amount as exports write it: "£1,234.50", "1.234,50", "-20", "(20.00)"
    (in brackets: negative)."""
    cleaned = _MONEY_NOISE.sub("", text)
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("-()")
    last_comma, last_dot = cleaned.rfind(","), cleaned.rfind(".")
    if last_comma > last_dot and len(cleaned) - last_comma - 1 != 3:
        cleaned = cleaned.replace(".", "").replace(",", ".")  # 1.234,50
    else:
        cleaned = cleaned.replace(",", "")  # 1,234.50 or 1,234
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        raise RowProblem(_("Amount “%(value)s” is not an amount such as 45.00.") % {"value": text})
    minor = to_minor(Decimal(cleaned), currency)
    return -minor if negative else minor


def _import_balance(request: ImportRequest, data: dict, row: RowResult, *, by, address, now):
    patient = _imported_patient(request, data)
    row.label = patient.full_name
    amount = parse_amount(_required(data, "amount", request.kind), clinic_currency())
    as_of = (
        _date(data["as_of"], request.date_order, _("Balance date")) if data.get("as_of") else None
    )
    known = _known_record(request, RecordKind.OPENING_BALANCE, data["patient_id"])
    if known is not None:
        if known.entry.amount != amount:
            raise RowProblem(
                _(
                    "An opening balance of a different amount was imported before; correct it "
                    "on the patient's account."
                )
            )
        row.outcome = UNCHANGED
        return
    if amount == 0:
        row.outcome, row.note = SKIPPED, _("nothing owed")
        return
    entry = post_opening_balance(
        patient,
        amount=amount,
        by=by,
        occurred_on=as_of,
        description=_("Opening balance from %(system)s") % {"system": source_label(request.source)},
    )
    ExternalRecord.objects.create(
        source=request.source,
        kind=RecordKind.OPENING_BALANCE,
        external_id=data["patient_id"],
        fingerprint=_fingerprint(data),
        patient=patient,
        entry=entry,
        imported_by=by,
    )
    _note_import(by, patient, "opening balance", request.source, address)
    row.outcome = CREATED


_IMPORTERS = {
    RecordKind.PATIENT: _import_patient,
    RecordKind.APPOINTMENT: _import_appointment,
    RecordKind.OPENING_BALANCE: _import_balance,
}
