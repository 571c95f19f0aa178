"""A busy practice generated in bulk for the page benchmarks (``bench/pages.py``).

At scale 1: 5 practitioners, 5,000 patients, 100,000 appointments (three years, the last weeks
ahead of today), 60,000 visits with signed notes (each for a past appointment), 20,000
questionnaire responses (baselines of complete intakes and follow-ups), and the ledger: 100,000
charges over the three years (one per past appointment, a second line on some) with their
payments, most paid on the day, some patients owing for recent months (``_ledger``). Scale 10
has ten times the rows, spread over thirty years, so that every page shows the same amount on
screen while the tables behind it grow. Rows are written with ``bulk_create`` (the services
would take hours), but they are rows the services could have written: appointments never
overlap, every visit's note is signed, every baseline belongs to a complete intake.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.billing import summaries
from sotclinic.billing.models import Account, EntryKind, LedgerEntry
from sotclinic.charting.models import Note, Visit
from sotclinic.intake.instruments import get_instrument
from sotclinic.intake.models import Intake, QuestionnaireResponse
from sotclinic.patients.models import Patient
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

    patients = _patients(size.patients, rng)
    appointments = _appointments(size, practitioners, location, kind, patients, now, rng)
    _visits(size.visits, appointments, now)
    _responses(size.responses, patients, now, rng)
    _ledger(size.charges, appointments, now, rng)
    chart_patient = _patient_with_visit_history(practitioners[0])
    return Practice(location, practitioners, kind, chart_patient, practitioners[0].user)


def _patients(count: int, rng: random.Random) -> list[Patient]:
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            Patient(
                first_name=first,
                last_name=last,
                date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25_000)),
                email=f"{first.lower()}.{n}@example.com",
                phone=f"+441174960{n % 1000:03d}",  # Ofcom's range for drama, in E.164
                consent_to_contact=True,
            )
        )
    return Patient.objects.bulk_create(rows, batch_size=BATCH)


def _appointments(size, practitioners, location, kind, patients, now, rng) -> list[Appointment]:
    """Each practitioner's day filled slot after slot, the last DAYS_AHEAD days in the future.

    Returns the past ones, oldest first (the visits are for those)."""
    per_practitioner = size.appointments // len(practitioners)
    days = -(-per_practitioner // SLOTS_PER_DAY)
    ahead = min(DAYS_AHEAD, days // 3)  # today is always a full day, whatever the size
    first_day = (now + dt.timedelta(days=ahead - days)).replace(hour=8, minute=0)
    past: list[Appointment] = []
    batch: list[Appointment] = []
    for practitioner in practitioners:
        for n in range(per_practitioner):
            start = first_day + dt.timedelta(days=n // SLOTS_PER_DAY) + SLOT * (n % SLOTS_PER_DAY)
            end = start + dt.timedelta(minutes=kind.duration_minutes)
            appointment = Appointment(
                practitioner=practitioner,
                patient=rng.choice(patients),
                location=location,
                appointment_type=kind,
                start=start,
                end=end,
                blocked_until=start + SLOT,
                status=Appointment.Status.COMPLETED if end < now else Appointment.Status.BOOKED,
            )
            batch.append(appointment)
            if end < now:
                past.append(appointment)
            if len(batch) >= BATCH:
                Appointment.objects.bulk_create(batch)
                batch = []
    Appointment.objects.bulk_create(batch)
    past.sort(key=lambda a: a.start)
    return past


def _visits(count: int, past: list[Appointment], now) -> None:
    """Visits for the latest ``count`` past appointments, each with a signed note."""
    chosen = past[-count:]
    for offset in range(0, len(chosen), BATCH):
        appointments = chosen[offset : offset + BATCH]
        visits = Visit.objects.bulk_create(
            Visit(
                patient_id=a.patient_id,
                practitioner_id=a.practitioner_id,
                appointment=a,
                started_at=a.start,
                created_by_id=a.practitioner.user_id,
            )
            for a in appointments
        )
        Note.objects.bulk_create(
            Note(
                visit=visit,
                complaints="Low back pain",
                pain_score=4,
                signed_at=visit.started_at + dt.timedelta(minutes=25),
                signed_by_id=a.practitioner.user_id,
                updated_by_id=a.practitioner.user_id,
            )
            for visit, a in zip(visits, appointments, strict=True)
        )


def _responses(count: int, patients: list[Patient], now, rng: random.Random) -> None:
    """Complete intakes with an RMDQ and NPRS baseline each, then follow-ups: ``count`` rows."""
    rmdq, nprs = get_instrument("rmdq"), get_instrument("nprs")
    intake_patients = patients[: max(1, count // 5)]
    intakes = Intake.objects.bulk_create(
        (
            Intake(
                patient=p,
                status=Intake.Status.COMPLETE,
                completed_at=now - dt.timedelta(days=rng.randrange(30, 1000)),
                consent_to_care=True,
                consent_at=now - dt.timedelta(days=1000),
                complaints=[rng.choice(("low_back", "neck", "headache"))],
            )
            for p in intake_patients
        ),
        batch_size=BATCH,
    )
    rows = []
    for intake in intakes:
        for instrument, score, period in ((rmdq, rng.randint(4, 20), ""), (nprs, 7, "24h")):
            rows.append(
                QuestionnaireResponse(
                    patient_id=intake.patient_id,
                    instrument_id=instrument.id,
                    instrument_version=instrument.version,
                    score=float(score),
                    administered_at=intake.completed_at,
                    context="baseline",
                    recall_period=period,
                    intake=intake,
                )
            )
    follow_ups = itertools.cycle(intakes)
    while len(rows) < count:
        intake = next(follow_ups)
        instrument, high, period = rng.choice(((rmdq, 24, ""), (nprs, 10, "24h")))
        rows.append(
            QuestionnaireResponse(
                patient_id=intake.patient_id,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                score=float(rng.randint(0, high)),
                administered_at=intake.completed_at + dt.timedelta(days=rng.randrange(7, 120)),
                context="follow_up",
                recall_period=period,
            )
        )
    QuestionnaireResponse.objects.bulk_create(rows[:count], batch_size=BATCH)


# The fee of each code, in minor units; every tenth patient leaves recent visits unpaid.
FEES = {"98940": 4500, "98941": 5500, "97140": 3000}
OWING_EVERY = 10
OWING_DAYS = 150


def _ledger(count: int, past: list[Appointment], now, rng: random.Random) -> None:
    """``count`` charges for the past appointments, oldest first (one each, then a second line
    on the earliest until the count is reached), and their payments, written in bulk.

    The posting service would set each account's balance and the reports' running totals; here
    the balances are summed from the same amounts first and written with the accounts, so
    balance = sum of entries holds, and the totals are then rebuilt from the entries."""
    desk = User.objects.create(username="bench-desk", role=Role.FRONT_DESK)
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
    accounts = Account.objects.bulk_create(
        (Account(patient_id=pid, currency="GBP", balance=b) for pid, b in balances.items()),
        batch_size=BATCH,
    )
    account_of = {a.patient_id: a.pk for a in accounts}
    for offset in range(0, len(rows), BATCH):
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                account_id=account_of[pid],
                kind=kind,
                amount=amount,
                currency="GBP",
                occurred_on=day,
                created_at=now,
                created_by=desk,
                practitioner_id=practitioner_id,
                location_id=location_id,
                code=code,
                code_system="cpt" if code else "",
                modifiers=["AT"] if code else [],
                diagnosis_pointers=[1] if code else [],
                method=method,
            )
            for pid, kind, amount, day, practitioner_id, location_id, code, method in rows[
                offset : offset + BATCH
            ]
        )
    summaries.rebuild()


def _patient_with_visit_history(practitioner) -> Patient:
    """The chart page's patient: 200 signed visits with exams and procedures."""
    from tests.factories import make_visit_history

    chart_patient = Patient.objects.create(
        first_name="Many", last_name="Visits", date_of_birth=dt.date(1970, 5, 5)
    )
    make_visit_history(practitioner, chart_patient, 200)
    return chart_patient
