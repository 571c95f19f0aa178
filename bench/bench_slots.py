"""Listing 14 days of free slots for a practitioner with two years of history (~10,000
appointments), through the JSON API and through the booking page's time step.

Each is measured cold (the cache cleared before every call: what computing a listing costs)
and warm (repeated requests for the same days, as when many patients look at them)."""

import datetime as dt

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bench.clinic import practitioner_open_daily
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment, AppointmentType, ClinicSettings, WeeklyBreak

HISTORY_DAYS = 730
PER_DAY = 14  # 30 minutes plus 10 minutes buffer, from 08:00


def setup() -> dict:
    location, doctor = practitioner_open_daily(
        "Bench Clinic", "bench-slots", "Dr. Bench", dt.time(8, 0), dt.time(18, 0)
    )
    for weekday in range(7):
        WeeklyBreak.objects.create(
            practitioner=doctor,
            location=location,
            weekday=weekday,
            start_time=dt.time(17, 30),
            end_time=dt.time(18, 0),
        )
    kind = AppointmentType.objects.create(
        name="Bench visit", duration_minutes=30, buffer_minutes=10
    )
    kind.practitioners.add(doctor)
    patients = Patient.objects.bulk_create(
        Patient(first_name="P", last_name=f"Bench{n}", date_of_birth=dt.date(1980, 1, 1))
        for n in range(200)
    )
    today = timezone.now().astimezone(location.tz).date()
    rows = []
    for offset in range(-HISTORY_DAYS, 14):
        day = today + dt.timedelta(days=offset)
        for n in range(PER_DAY):
            if offset >= 0 and n % 2:  # the coming two weeks are half booked
                continue
            start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=location.tz) + dt.timedelta(
                minutes=40 * n
            )
            start = start.astimezone(dt.UTC)
            rows.append(
                Appointment(
                    practitioner=doctor,
                    patient=patients[(offset * PER_DAY + n) % len(patients)],
                    location=location,
                    appointment_type=kind,
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    blocked_until=Appointment.busy_until(start + dt.timedelta(minutes=30), kind),
                    status="completed" if offset < 0 else "booked",
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=2000)
    ClinicSettings.load()
    print(f"  bench_slots: {len(rows)} appointments over {HISTORY_DAYS} days of history")
    return {"client": Client(), "kind": kind, "doctor": doctor, "today": today}


def cases(ctx):
    client, kind, doctor, today = ctx["client"], ctx["kind"], ctx["doctor"], ctx["today"]
    api_url = (
        f"/api/v1/slots?appointment_type={kind.pk}&practitioner={doctor.pk}"
        f"&start={today.isoformat()}&days=14"
    )
    page_url = f"/portal/book/?type={kind.pk}&practitioner={doctor.pk}"

    def api_slots():
        response = client.get(api_url)
        assert response.status_code == 200
        assert response.json()

    def booking_page_times():
        assert client.get(page_url).status_code == 200

    def cold(fn):
        def call():
            cache.clear()
            fn()

        return call

    return [
        ("API 14 days of slots, 10k appointments, cold", cold(api_slots)),
        ("API 14 days of slots, 10k appointments, warm", api_slots),
        ("booking page time step, 14 days, cold", cold(booking_page_times)),
        ("booking page time step, 14 days, warm", booking_page_times),
    ]
