"""Clinic set-up shared by the scheduling benchmarks."""

import datetime as dt

from sotclinic.accounts.models import Role, User
from sotclinic.scheduling.models import Location, Practitioner, WeeklyHours


def practitioner_open_daily(
    clinic: str, username: str, display_name: str, start: dt.time, end: dt.time
) -> tuple[Location, Practitioner]:
    """A location and a practitioner who works there every day from `start` to `end`."""
    location = Location.objects.create(name=clinic, time_zone="Europe/London")
    user = User.objects.create(username=username, role=Role.PRACTITIONER)
    doctor = Practitioner.objects.create(user=user, display_name=display_name)
    doctor.locations.add(location)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(
            practitioner=doctor, location=location, weekday=day, start_time=start, end_time=end
        )
        for day in range(7)
    )
    return location, doctor
