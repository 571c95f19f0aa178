"""Booking throughput: one POST /api/v1/bookings per call, each for a different free slot."""

import datetime as dt
import itertools

from django.conf import settings
from django.test import Client
from django.utils import timezone

from bench.clinic import practitioner_open_daily
from sotclinic.scheduling.models import AppointmentType, ClinicSettings
from sotclinic.scheduling.selectors import free_slots


def setup() -> dict:
    settings.BOOKING_RATE_LIMIT = 10**9  # the benchmark is one client address
    location, doctor = practitioner_open_daily(
        "Bench Booking Clinic", "bench-booking", "Dr. Throughput", dt.time(6, 0), dt.time(22, 0)
    )
    kind = AppointmentType.objects.create(name="Quick visit", duration_minutes=15)
    kind.practitioners.add(doctor)
    rules = ClinicSettings.load()
    rules.horizon_days = max(rules.horizon_days, 60)
    rules.save()
    today = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    slots = free_slots(kind, today, 40, practitioner_ids=[doctor.pk])
    print(f"  bench_booking: {len(slots)} free slots to book")
    return {"client": Client(), "kind": kind, "doctor": doctor, "slots": iter(slots)}


def cases(ctx):
    client, kind, doctor, slots = ctx["client"], ctx["kind"], ctx["doctor"], ctx["slots"]
    counter = itertools.count()

    def book():
        n = next(counter)
        slot = next(slots)
        response = client.post(
            "/api/v1/bookings",
            {
                "appointment_type": kind.pk,
                "practitioner": doctor.pk,
                "start": slot.start.isoformat(),
                "first_name": "Bench",
                "last_name": f"Patient{n}",
                "email": f"bench{n}@example.com",
                "phone": "+44 7700 900000",
                "date_of_birth": "1980-01-01",
                "consent": True,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    return [("POST booking (new patient, e-mail with .ics)", book)]
