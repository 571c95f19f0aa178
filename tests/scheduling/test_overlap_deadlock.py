"""PostgreSQL checks the no-overlap constraint after it has written the row, so two
transactions that each write an appointment overlapping the other's may wait for each other;
it then aborts one of them (a deadlock). The aborted write lost the time: it is SlotTaken, as
when the other had committed first, and the transaction around it goes on."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sotclinic.scheduling import services
from sotclinic.scheduling.errors import SlotTaken
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
)


def _wait_until_another_backend_waits_on_a_lock(timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other transaction never waited")


@pytest.mark.django_db(transaction=True)
def test_the_write_aborted_by_a_deadlock_on_the_overlap_check_is_slot_taken():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: its writes never wait for each other")
    location = make_location(time_zone="Europe/London")
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30, buffer_minutes=10)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    ten = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    first_patient, second_patient = make_patient(), make_patient()
    minutes = dt.timedelta(minutes=1)
    written = threading.Event()
    failures = []

    def other_transaction():
        # Writes 10:00 (blocked to 10:40), then, once this test's 10:30 waits on it, 10:50,
        # which overlaps the 10:30 only: each now waits for the other.
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # so that PostgreSQL aborts the other one
                    cursor.execute("SET LOCAL deadlock_timeout = '30s'")
                make_appointment(doctor, ten, patient=first_patient, kind=kind, location=location)
                written.set()
                _wait_until_another_backend_waits_on_a_lock()
                make_appointment(
                    doctor, ten + 50 * minutes, patient=first_patient, kind=kind, location=location
                )
        except Exception as exc:  # surfaced by the assertion below
            failures.append(exc)
        finally:
            written.set()
            connection.close()

    other = threading.Thread(target=other_transaction)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '1s'")
        clash = Appointment(
            practitioner=doctor,
            patient=second_patient,
            location=location,
            appointment_type=kind,
            start=ten + 30 * minutes,
            end=ten + 60 * minutes,
        )
        other.start()
        written.wait(10)
        with pytest.raises(SlotTaken):
            services._save_without_overlap(clash)
        # The transaction around the refused write is still usable.
        assert not Appointment.objects.filter(patient=second_patient).exists()
    other.join(30)

    assert failures == []
    assert sorted(a.start for a in Appointment.objects.all()) == [ten, ten + 50 * minutes]
