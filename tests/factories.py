"""Factories for tests: plain functions that create real rows with sensible defaults."""

import datetime as dt
import itertools

from sotclinic.accounts.models import Role, User
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    WeeklyHours,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(role: str = Role.PATIENT, username: str | None = None, **extra) -> User:
    n = next(_seq)
    user = User(
        username=username or f"user{n}", role=role, first_name="Test", last_name=f"User{n}", **extra
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_location(**extra) -> Location:
    defaults = {"name": f"Clinic {next(_seq)}", "time_zone": "Europe/London"}
    return Location.objects.create(**{**defaults, **extra})


def make_practitioner(location: Location | None = None, **extra) -> Practitioner:
    user = extra.pop("user", None) or make_user(Role.PRACTITIONER)
    practitioner = Practitioner.objects.create(
        user=user, display_name=extra.pop("display_name", f"Dr. {user.last_name}"), **extra
    )
    if location:
        practitioner.locations.add(location)
    return practitioner


def make_weekly_hours(practitioner, location, weekday, start="09:00", end="17:00") -> WeeklyHours:
    return WeeklyHours.objects.create(
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end),
    )


def make_appointment_type(practitioners=(), **extra) -> AppointmentType:
    defaults = {"name": f"Visit {next(_seq)}", "duration_minutes": 20, "buffer_minutes": 10}
    kind = AppointmentType.objects.create(**{**defaults, **extra})
    kind.practitioners.add(*practitioners)
    return kind


def make_patient(**extra) -> Patient:
    n = next(_seq)
    defaults = {
        "first_name": "Pat",
        "last_name": f"Ient{n}",
        "date_of_birth": dt.date(1980, 1, 1),
        "email": f"pat{n}@example.com",
    }
    return Patient.objects.create(**{**defaults, **extra})


def make_appointment(
    practitioner, start: dt.datetime, patient=None, kind=None, location=None, **extra
) -> Appointment:
    location = location or practitioner.locations.first() or make_location()
    kind = kind or make_appointment_type([practitioner])
    return Appointment.objects.create(
        practitioner=practitioner,
        patient=patient or make_patient(),
        location=location,
        appointment_type=kind,
        start=start,
        end=start + dt.timedelta(minutes=kind.duration_minutes),
        **extra,
    )
