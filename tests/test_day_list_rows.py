"""The day list's rows (staff.day_list) as the page shows them: times in the location's zone,
the status in words, and for practitioners the visit links each appointment's state allows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    make_visit_history,
    sign_visit,
)

pytestmark = pytest.mark.django_db


def _today_at(location, hour: int) -> dt.datetime:
    today = timezone.now().astimezone(location.tz).date()
    return dt.datetime.combine(today, dt.time(hour, 0), tzinfo=location.tz)


def test_rows_show_local_times_status_and_the_links_each_state_allows(client):
    location = make_location(time_zone="America/New_York")
    doctor = make_practitioner(location)
    client.force_login(doctor.user)
    with_history = make_patient(first_name="Hana", last_name="History")
    make_visit_history(doctor, with_history, 1)
    signed = make_appointment(doctor, _today_at(location, 8))
    sign_visit(make_visit(appointment=signed), complaints="Better")
    draft = make_appointment(doctor, _today_at(location, 9))
    draft_visit = make_visit(appointment=draft)
    cancelled = make_appointment(
        doctor, _today_at(location, 10), status=Appointment.Status.CANCELLED
    )
    waiting = make_appointment(doctor, _today_at(location, 11), patient=with_history)

    html = client.get(reverse("home")).content.decode()

    assert "11:00" in html  # the location's clock, not UTC
    assert "Cancelled" in html
    assert "Open visit (signed)" in html
    assert f'href="{reverse("charting:visit", args=[draft_visit.pk])}"' in html
    assert reverse("charting:start_visit", args=[cancelled.pk]) not in html
    assert f'action="{reverse("charting:start_visit", args=[waiting.pk])}"' in html
    assert f'action="{reverse("charting:start_visit_from_last", args=[waiting.pk])}"' in html
    assert reverse("charting:start_visit_from_last", args=[draft.pk]) not in html
    assert 'name="csrfmiddlewaretoken"' in html
