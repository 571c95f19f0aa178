"""A busy practice generated in bulk for the page benchmarks (``bench/pages.py``).

At scale 1: 5 practitioners, 5,000 patients, 100,000 appointments (three years, the last weeks
ahead of today), 60,000 visits with signed notes (each for a past appointment), 20,000
questionnaire responses (baselines of complete intakes and follow-ups), and the ledger: 100,000
charges over the three years (one per past appointment, a second line on some) with their
payments, most paid on the day, some patients owing for recent months (``_ledger``). Scale 10
has ten times the rows, spread over thirty years, so that every page shows the same amount on
screen while the tables behind it grow. Rows are written in bulk (``_Writer``: PostgreSQL's
COPY, or ``executemany`` on SQLite; the services would take hours, ``bulk_create`` most of an
hour at 10×), but they are rows the services could have written: appointments never overlap,
every visit's note is signed, every baseline belongs to a complete intake, every patient has
the search columns the model fills, and the ledger's running totals are rebuilt from the
entries once at the end. The database keeps every constraint and guard while they are written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from typing import NamedTuple

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.billing import summaries
from sotclinic.billing.models import Account, EntryKind, LedgerEntry
from sotclinic.charting.models import Note, Visit
from sotclinic.intake.instruments import get_instrument
from sotclinic.intake.models import Intake, QuestionnaireResponse
from sotclinic.patients.models import SEARCH_COLUMNS, Patient
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    ClinicSettings,
    Location,
    Practitioner,
    WeeklyHours,
)

FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "Dara", "Émile", "Fatima", "George", "Hannah", "Ivan", "Jürgen",
    "Kofi", "Léa", "Mateo", "Nina", "Oskar", "Priya", "Quentin", "Rosa", "Søren", "Tomás",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Müller", "García", "Brown", "Nguyen", "Smithson", "Taylor", "O'Brien",
    "Dubois", "Kowalski", "Rossi", "Wilson", "Svensson", "Novák", "Martin", "Okafor", "Evans",
    "Schmidt", "Blacksmith", "Hughes", "López", "Walker", "Moreau", "Yilmaz",
)  # fmt: skip

BATCH = 2000
SLOT = dt.timedelta(minutes=30)  # 20-minute visits and a 10-minute buffer
SLOTS_PER_DAY = 18  # 08:00 to 17:00
DAYS_AHEAD = 21


@dataclass(frozen=True)
class Size:
    practitioners: int = 5
    patients: int = 5000
    appointments: int = 100_000
    visits: int = 60_000
    responses: int = 20_000
    charges: int = 100_000

    def times(self, factor: float) -> Size:
        return Size(
            self.practitioners,
            max(20, int(self.patients * factor)),
            max(60, int(self.appointments * factor)),
            max(30, int(self.visits * factor)),
            max(30, int(self.responses * factor)),
            max(60, int(self.charges * factor)),
        )


@dataclass
class Practice:
    location: Location
    practitioners: list[Practitioner]
    kind: AppointmentType
    chart_patient: Patient  # the one with 200 signed visits
    staff: User  # a practitioner's account, for the signed-in pages


def generate(size: Size, seed: int = 16) -> Practice:
    """Write the practice into the (migrated, empty) database."""
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    location = Location.objects.create(name="Bench Practice", time_zone="UTC")
    practitioners = []
    for n in range(size.practitioners):
        user = User.objects.create(
            username=f"doctor{n}", role=Role.PRACTITIONER, first_name="Doc", last_name=f"Tor{n}"
        )
        practitioner = Practitioner.objects.create(user=user, display_name=f"Dr. Tor {n}")
        practitioner.locations.add(location)
        practitioners.append(practitioner)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(
            practitioner=p,
            location=location,
            weekday=day,
            start_time=dt.time(8, 0),
            end_time=dt.time(17, 0),
        )
        for p in practitioners
        for day in range(7)
    )
    kind = AppointmentType.objects.create(name="Visit", duration_minutes=20, buffer_minutes=10)
    kind.practitioners.add(*practitioners)
    rules = ClinicSettings.load()
    rules.horizon_days = max(rules.horizon_days, 60)
    rules.save()
    desk = User.objects.create(username="bench-desk", role=Role.FRONT_DESK)

    writer = _Writer(now)
    patients = _patients(writer, size.patients, rng)
    past = _appointments(writer, size, practitioners, location, kind, patients, now, rng)
    _visits(writer, size.visits, past)
    _responses(writer, size.responses, patients, now, rng)
    _ledger(writer, size.charges, past, desk, now, rng)
    writer.finish()  # the sequences go on after the rows written here
    summaries.rebuild()
    chart_patient = _patient_with_visit_history(practitioners[0])
    return Practice(location, practitioners, kind, chart_patient, practitioners[0].user)


def load() -> Practice:
    """The practice ``generate`` wrote earlier into this database, found again."""
    location = Location.objects.get(name="Bench Practice")
    practitioners = list(
        Practitioner.objects.filter(user__username__startswith="doctor")
        .select_related("user")
        .order_by("user__username")
    )
    kind = AppointmentType.objects.get(name="Visit")
    chart_patient = Patient.objects.get(first_name="Many", last_name="Visits")
    return Practice(location, practitioners, kind, chart_patient, practitioners[0].user)


# Django's own field classes whose Python values the database drivers take as they are; any
# other field (JSON, a project's own field) goes through its ``get_db_prep_save``.
_AS_IS = {
    models.BigAutoField,
    models.AutoField,
    models.CharField,
    models.TextField,
    models.EmailField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
    models.OneToOneField,
}
# Defaults that give the same value for every row: worked out once per table.
_SAME_FOR_EVERY_ROW = {list, dict, timezone.now}


class _Writer:
    """Rows of a model written in bulk, straight from tuples: no model instance and no query
    per row. The caller numbers the rows (``next_id``), so that the rows pointing at them can be
    built before they are written; ``finish`` moves the tables' sequences past them.

    A field the caller does not give gets what Django would have given it: its default, or
    ``now`` for ``auto_now``/``auto_now_add``. On PostgreSQL the rows go through ``COPY``
    (constraints, indexes and triggers apply as to any insert); elsewhere ``executemany``."""

    def __init__(self, now):
        self.now = now
        self.models: list[type[models.Model]] = []

    def next_id(self, model) -> int:
        return (model.objects.aggregate(last=models.Max("pk"))["last"] or 0) + 1

    def write(self, model, columns: tuple[str, ...], rows) -> None:
        """``rows``: tuples of Python values for ``columns`` (attnames, ``id`` among them)."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        given = [fields[name] for name in columns]
        # A field with a database default and no other is left to the database.
        others = [
            f
            for f in fields.values()
            if f.attname not in columns and not (f.has_db_default() and not f.has_default())
        ]
        prepare = [self._preparer(f) for f in given]
        fixed, fixed_names, per_row = [], [], []
        for field in others:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                fixed.append(self._prepared(field, self.now))
            elif callable(field.default) and field.default not in _SAME_FOR_EVERY_ROW:
                per_row.append(field)
                continue
            else:
                fixed.append(self._prepared(field, field.get_default()))
            fixed_names.append(field.column)
        names = [f.column for f in given] + [f.column for f in per_row] + fixed_names
        fixed = tuple(fixed)

        def prepared(row):
            values = [v if p is None else p(v) for v, p in zip(row, prepare, strict=True)]
            values += [self._prepared(f, f.get_default()) for f in per_row]
            return (*values, *fixed)

        table = connection.ops.quote_name(model._meta.db_table)
        columns_sql = ", ".join(connection.ops.quote_name(name) for name in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({columns_sql}) FROM STDIN"  # noqa: S608 (names only)
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(prepared(row))
            else:
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({columns_sql}) VALUES ({marks})"  # noqa: S608
                rows = iter(rows)
                while chunk := [prepared(row) for row in itertools.islice(rows, BATCH)]:
                    cursor.executemany(sql, chunk)
        self.models.append(model)

    def finish(self) -> None:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)

    @staticmethod
    def _preparer(field):
        if type(field) in _AS_IS or (
            connection.vendor == "postgresql"
            and type(field) in (models.DateField, models.DateTimeField)
        ):
            return None
        return lambda value: field.get_db_prep_save(value, connection)

    def _prepared(self, field, value):
        prepare = self._preparer(field)
        return value if prepare is None else prepare(value)


def _patients(writer: _Writer, count: int, rng: random.Random) -> list[int]:
    """The patients' ids; each row with the search columns its model fills on save."""
    first_id = writer.next_id(Patient)
    patients = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        patient = Patient(
            id=first_id + n,
            first_name=first,
            last_name=last,
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25_000)),
            email=f"{first.lower()}.{n}@example.com",
            phone=f"+441174960{n % 1000:03d}",  # Ofcom's range for drama, in E.164
            consent_to_contact=True,
        )
        patient.fill_search_columns()
        patients.append(patient)
    columns = ("id", "first_name", "last_name", "date_of_birth", "email", "phone")
    columns += ("consent_to_contact", *SEARCH_COLUMNS)
    writer.write(Patient, columns, (tuple(getattr(p, c) for c in columns) for p in patients))
    return [p.id for p in patients]


class _Past(NamedTuple):
    """A past appointment, as the visits and the ledger need it."""

    id: int
    start: dt.datetime
    practitioner_id: int
    user_id: int  # the practitioner's account
    patient_id: int
    location_id: int


def _appointments(writer, size, practitioners, location, kind, patients, now, rng) -> list[_Past]:
    """Each practitioner's day filled slot after slot, the last DAYS_AHEAD days in the future.

    Returns the past ones, oldest first (the visits are for those)."""
    per_practitioner = size.appointments // len(practitioners)
    days = -(-per_practitioner // SLOTS_PER_DAY)
    ahead = min(DAYS_AHEAD, days // 3)  # today is always a full day, whatever the size
    first_day = (now + dt.timedelta(days=ahead - days)).replace(hour=8, minute=0)
    length = dt.timedelta(minutes=kind.duration_minutes)
    next_id = itertools.count(writer.next_id(Appointment))
    past: list[_Past] = []

    def rows():
        for practitioner in practitioners:
            for n in range(per_practitioner):
                start = (
                    first_day + dt.timedelta(days=n // SLOTS_PER_DAY) + SLOT * (n % SLOTS_PER_DAY)
                )
                end = start + length
                pk, patient = next(next_id), rng.choice(patients)
                if end < now:
                    status = Appointment.Status.COMPLETED
                    user = practitioner.user_id
                    past.append(_Past(pk, start, practitioner.pk, user, patient, location.pk))
                else:
                    status = Appointment.Status.BOOKED
                row = (pk, practitioner.pk, patient, location.pk, kind.pk, start, end)
                yield (*row, start + SLOT, status)

    columns = ("id", "practitioner_id", "patient_id", "location_id", "appointment_type_id")
    columns += ("start", "end", "blocked_until", "status")
    writer.write(Appointment, columns, rows())
    past.sort(key=lambda a: a.start)
    return past


def _visits(writer: _Writer, count: int, past: list[_Past]) -> None:
    """Visits for the latest ``count`` past appointments, each with a signed note."""
    chosen = past[-count:]
    first_visit = writer.next_id(Visit)
    writer.write(
        Visit,
        ("id", "patient_id", "practitioner_id", "appointment_id", "started_at", "created_by_id"),
        (
            (first_visit + n, a.patient_id, a.practitioner_id, a.id, a.start, a.user_id)
            for n, a in enumerate(chosen)
        ),
    )
    first_note = writer.next_id(Note)
    signed_after = dt.timedelta(minutes=25)
    writer.write(
        Note,
        ("id", "visit_id", "complaints", "pain_score", "signed_at", "signed_by_id")
        + ("updated_by_id",),
        (
            (first_note + n, first_visit + n, "Low back pain", 4, a.start + signed_after)
            + (a.user_id, a.user_id)
            for n, a in enumerate(chosen)
        ),
    )


def _responses(writer: _Writer, count: int, patients: list[int], now, rng: random.Random):
    """Complete intakes with an RMDQ and NPRS baseline each, then follow-ups: ``count`` rows."""
    rmdq, nprs = get_instrument("rmdq"), get_instrument("nprs")
    first_intake = writer.next_id(Intake)
    intakes, complaints = [], []  # (id, patient_id, completed_at); [complaint]
    for n, patient in enumerate(patients[: max(1, count // 5)]):
        completed_at = now - dt.timedelta(days=rng.randrange(30, 1000))
        intakes.append((first_intake + n, patient, completed_at))
        complaints.append([rng.choice(("low_back", "neck", "headache"))])
    consent_at = now - dt.timedelta(days=1000)
    writer.write(
        Intake,
        ("id", "patient_id", "status", "completed_at", "consent_to_care", "consent_at")
        + ("complaints",),
        (
            (pk, patient, Intake.Status.COMPLETE, completed_at, True, consent_at, chosen)
            for (pk, patient, completed_at), chosen in zip(intakes, complaints, strict=True)
        ),
    )
    rows = []  # (patient_id, instrument, score, administered_at, context, period, intake_id)
    for pk, patient, completed_at in intakes:
        for instrument, score, period in ((rmdq, rng.randint(4, 20), ""), (nprs, 7, "24h")):
            rows.append((patient, instrument, score, completed_at, "baseline", period, pk))
    follow_ups = itertools.cycle(intakes)
    while len(rows) < count:
        _, patient, completed_at = next(follow_ups)
        instrument, high, period = rng.choice(((rmdq, 24, ""), (nprs, 10, "24h")))
        score = rng.randint(0, high)
        when = completed_at + dt.timedelta(days=rng.randrange(7, 120))
        rows.append((patient, instrument, score, when, "follow_up", period, None))
    first = writer.next_id(QuestionnaireResponse)
    writer.write(
        QuestionnaireResponse,
        ("id", "patient_id", "instrument_id", "instrument_version", "score", "administered_at")
        + ("context", "recall_period", "intake_id"),
        (
            (first + n, patient, instrument.id, instrument.version, float(score), when)
            + (context, period, intake)
            for n, (patient, instrument, score, when, context, period, intake) in enumerate(
                rows[:count]
            )
        ),
    )


# The fee of each code, in minor units; every tenth patient leaves recent visits unpaid.
FEES = {"98940": 4500, "98941": 5500, "97140": 3000}
OWING_EVERY = 10
OWING_DAYS = 150


def _ledger(writer: _Writer, count: int, past: list[_Past], desk, now, rng) -> None:
    """``count`` charges for the past appointments, oldest first (one each, then a second line
    on the earliest until the count is reached), and their payments, written in bulk.

    The posting service would set each account's balance and the reports' running totals; here
    the balances are summed from the same amounts first and written with the accounts, so
    balance = sum of entries holds; the totals are rebuilt from the entries afterwards."""
    today = now.date()
    extra = max(0, count - len(past))
    rows = []  # (patient_id, kind, amount, day, practitioner_id, location_id, code, method)
    for n, appointment in enumerate(past[:count]):
        day = appointment.start.date()
        codes = ["98941" if n % 3 else "98940"] + (["97140"] if n < extra else [])
        for code in codes:
            rows.append(
                (
                    appointment.patient_id,
                    EntryKind.CHARGE,
                    FEES[code],
                    day,
                    appointment.practitioner_id,
                    appointment.location_id,
                    code,
                    "",
                )
            )
        owing = appointment.patient_id % OWING_EVERY == 0 and (today - day).days < OWING_DAYS
        if owing and rng.random() < 0.6:
            continue
        paid = sum(FEES[c] for c in codes)
        method = "card" if n % 4 else "cash"
        rows.append((appointment.patient_id, EntryKind.PAYMENT, -paid, day, None, None, "", method))
    balances: dict[int, int] = {}
    for row in rows:
        balances[row[0]] = balances.get(row[0], 0) + row[2]
    first_account = writer.next_id(Account)
    account_of = {patient: first_account + n for n, patient in enumerate(balances)}
    writer.write(
        Account,
        ("id", "patient_id", "currency", "balance"),
        ((account_of[patient], patient, "GBP", b) for patient, b in balances.items()),
    )
    first_entry = writer.next_id(LedgerEntry)
    coded = (["AT"], [1], "cpt")
    writer.write(
        LedgerEntry,
        ("id", "account_id", "kind", "amount", "currency", "occurred_on", "created_at")
        + ("created_by_id", "practitioner_id", "location_id", "code", "code_system")
        + ("modifiers", "diagnosis_pointers", "method"),
        (
            (first_entry + n, account_of[patient], kind, amount, "GBP", day, now, desk.pk)
            + (practitioner, location, code)
            + ((coded[2], coded[0], coded[1]) if code else ("", [], []))
            + (method,)
            for n, (patient, kind, amount, day, practitioner, location, code, method) in enumerate(
                rows
            )
        ),
    )


def _patient_with_visit_history(practitioner) -> Patient:
    """The chart page's patient: 200 signed visits with exams and procedures."""
    from tests.factories import make_visit_history

    chart_patient = Patient.objects.create(
        first_name="Many", last_name="Visits", date_of_birth=dt.date(1970, 5, 5)
    )
    make_visit_history(practitioner, chart_patient, 200)
    return chart_patient
