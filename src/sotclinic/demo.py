"""The demo clinic: one location, two practitioners, a front desk, ~30 patients, a few weeks
of appointments. Loading it twice changes nothing."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    WeeklyHours,
)

DEMO_PASSWORD = "sotclinic-demo"
DEMO_LOGINS = [
    ("anna", "practitioner", "Dr. Anna Weber"),
    ("ben", "practitioner", "Dr. Ben Okafor"),
    ("frontdesk", "front desk", "Fiona Desk"),
    ("patient", "patient", "Paula Patient"),
]

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Mia",
    "Lucas",
    "Isla",
    "Mateo",
    "Ava",
    "Leo",
    "Grace",
    "Ethan",
    "Chloe",
    "James",
    "Zoe",
    "Henry",
    "Nora",
    "Samuel",
    "Ruby",
    "Daniel",
    "Hannah",
    "Arjun",
    "Mei",
    "Tomasz",
    "Aisha",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Nowak",
    "Chen",
    "Khan",
    "Murphy",
    "Kelly",
    "Singh",
    "Lewis",
    "Harris",
    "Young",
]

# (weekday, start, end) in local time; a lunch break splits each day.
ANNA_HOURS = [
    (day, start, end)
    for day in range(0, 4)
    for start, end in ((dt.time(8, 0), dt.time(12, 30)), (dt.time(13, 30), dt.time(18, 0)))
]
BEN_HOURS = [
    (day, start, end)
    for day in range(1, 6)
    for start, end in ((dt.time(9, 0), dt.time(13, 0)), (dt.time(14, 0), dt.time(17, 0)))
]


def _user(username: str, role: str, first: str, last: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": first, "last_name": last, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_demo_clinic(today: dt.date | None = None) -> bool:
    """Create the demo clinic where it is missing. Returns True when anything was created."""
    if Location.objects.filter(name="Harbour Street Chiropractic").exists():
        return False

    location = Location.objects.create(
        name="Harbour Street Chiropractic",
        address="12 Harbour Street\nBristol BS1 4XX\nUnited Kingdom",
        phone="+44 117 496 0000",
        email="hello@harbourstreet.example",
        time_zone="Europe/London",
    )
    anna = Practitioner.objects.create(
        user=_user("anna", Role.PRACTITIONER, "Anna", "Weber", is_staff=True, is_superuser=True),
        display_name="Dr. Anna Weber",
        credentials="DC; SOT certified (Cranial level)",
        bio="Anna has worked with SOT since 2009 and teaches pelvic blocking workshops.",
    )
    ben = Practitioner.objects.create(
        user=_user("ben", Role.PRACTITIONER, "Ben", "Okafor"),
        display_name="Dr. Ben Okafor",
        credentials="DC; SOT certified (Basic level)",
        bio="Ben sees many patients with desk-related neck and back complaints.",
    )
    _user("frontdesk", Role.FRONT_DESK, "Fiona", "Desk")
    for practitioner in (anna, ben):
        practitioner.locations.add(location)
    for practitioner, hours in ((anna, ANNA_HOURS), (ben, BEN_HOURS)):
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                practitioner=practitioner, location=location, weekday=d, start_time=s, end_time=e
            )
            for d, s, e in hours
        )
    new_exam = AppointmentType.objects.create(
        name="New-patient exam", duration_minutes=45, buffer_minutes=15
    )
    follow_up = AppointmentType.objects.create(
        name="Follow-up", duration_minutes=20, buffer_minutes=10, new_patients_may_book_online=False
    )
    for kind in (new_exam, follow_up):
        kind.practitioners.add(anna, ben)

    rng = random.Random(20261126)  # fixed seed: the same clinic every time
    patients = []
    for i, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=False)):
        patients.append(
            Patient(
                first_name=first,
                last_name=last,
                date_of_birth=dt.date(1950 + (i * 7) % 55, 1 + i % 12, 1 + (i * 5) % 28),
                email=f"{first.lower()}.{last.lower()}@example.com",
                phone=f"+44 7700 900{i:03d}",
                consent_to_contact=True,
            )
        )
    patients = Patient.objects.bulk_create(patients)
    portal_user = _user("patient", Role.PATIENT, "Paula", "Patient")
    Patient.objects.create(
        first_name="Paula",
        last_name="Patient",
        date_of_birth=dt.date(1984, 5, 17),
        email="paula.patient@example.com",
        phone="+44 7700 900999",
        user=portal_user,
        consent_to_contact=True,
    )

    today = today or timezone.now().astimezone(location.tz).date()
    _demo_appointments(
        rng, location, [(anna, ANNA_HOURS), (ben, BEN_HOURS)], new_exam, follow_up, patients, today
    )
    return True


def _demo_appointments(rng, location, schedules, new_exam, follow_up, patients, today):
    appointments = []
    now = timezone.now()
    for offset in range(-21, 22):
        day = today + dt.timedelta(days=offset)
        for practitioner, hours in schedules:
            for weekday, start, end in hours:
                if weekday != day.weekday():
                    continue
                cursor = dt.datetime.combine(day, start, tzinfo=location.tz)
                block_end = dt.datetime.combine(day, end, tzinfo=location.tz)
                while True:
                    kind = new_exam if rng.random() < 0.15 else follow_up
                    finish = cursor + dt.timedelta(minutes=kind.duration_minutes)
                    if finish > block_end:
                        break
                    if rng.random() < 0.55:
                        status = Appointment.Status.BOOKED
                        if finish <= now:
                            status = (
                                Appointment.Status.NO_SHOW
                                if rng.random() < 0.05
                                else Appointment.Status.COMPLETED
                            )
                        appointments.append(
                            Appointment(
                                practitioner=practitioner,
                                patient=rng.choice(patients),
                                location=location,
                                appointment_type=kind,
                                start=cursor.astimezone(dt.UTC),
                                end=finish.astimezone(dt.UTC),
                                blocked_until=(
                                    finish + dt.timedelta(minutes=kind.buffer_minutes)
                                ).astimezone(dt.UTC),
                                status=status,
                            )
                        )
                        cursor = finish + dt.timedelta(minutes=kind.buffer_minutes)
                    else:
                        cursor += dt.timedelta(minutes=30)
    Appointment.objects.bulk_create(appointments)
