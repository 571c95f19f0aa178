"""The day list's visit columns (charting.selectors.day_visit_columns) read the appointments'
visits and notes through their unique indexes and ask for earlier findings with one probe of the
partial index ``visit_patient_findings`` (visits with ``has_findings``), instead of joining
every note of the practice or walking each earlier visit's note and exam."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.charting.selectors import day_visit_columns
from sotclinic.scheduling.models import Appointment
from sotclinic.scheduling.selectors import day_schedule, local_day_bounds
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    make_visit_history,
    sign_visit,
)
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db


def test_visit_columns_tell_each_appointments_visit_and_earlier_findings():
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    patient, newcomer = make_patient(), make_patient()
    history = make_visit_history(doctor, patient, 3)  # exams with findings, in the past
    today = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    seen = make_appointment(doctor, today, patient=patient)
    visit = make_visit(appointment=seen)
    signed = make_appointment(doctor, today + dt.timedelta(hours=1), patient=patient)
    signed_visit = make_visit(appointment=signed)
    sign_visit(signed_visit)
    waiting = make_appointment(doctor, today + dt.timedelta(hours=2), patient=patient)
    first = make_appointment(doctor, today + dt.timedelta(hours=3), patient=newcomer)
    before_history = make_appointment(
        doctor, history[0].started_at - dt.timedelta(days=1), patient=patient
    )

    [today_column] = day_schedule(today.date(), location, also=day_visit_columns())
    [earlier_column] = day_schedule(before_history.start.date(), location, also=day_visit_columns())

    found = {
        a.pk: (a.chart_visit_id, a.chart_visit_signed, a.chart_has_earlier_findings)
        for a in today_column.appointments + earlier_column.appointments
    }
    assert found == {
        seen.pk: (visit.pk, False, False),  # started: nothing more to offer
        signed.pk: (signed_visit.pk, True, False),
        waiting.pk: (None, False, True),
        first.pk: (None, False, False),
        before_history.pk: (None, False, False),
    }


def test_visit_columns_are_read_through_the_indexes():
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    patient = make_patient()
    make_visit_history(doctor, patient, 3)
    start, end = local_day_bounds(timezone.localdate(), location)
    query = Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
    query = query.values_list("pk", *day_visit_columns().values())

    plan = query_plan(*query.query.sql_with_params())

    assert "visit_patient_findings" in plan
    assert "charting_examrecord" not in plan  # the flag, not the exam, answers
    for table in ("charting_note", "charting_visit"):
        assert f"SCAN {table}" not in plan and f"Seq Scan on {table}" not in plan
