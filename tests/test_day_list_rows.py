"""The day list's rows (staff.day_list) as the page shows them: times in the location's zone,
the status in words, and for practitioners the visit links each appointment's state allows."""

import re

import pytest
from django.urls import reverse
from django.utils.html import format_html

from sotclinic.clinic_locale import CLOCK_12
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    make_visit_history,
    sign_visit,
    today_at,
)

pytestmark = pytest.mark.django_db


def test_rows_show_local_times_status_and_the_links_each_state_allows(client):
    location = make_location(time_zone="America/New_York")
    doctor = make_practitioner(location)
    client.force_login(doctor.user)
    with_history = make_patient(first_name="Hana", last_name="History")
    make_visit_history(doctor, with_history, 1)
    signed = make_appointment(doctor, today_at(location, 8))
    sign_visit(make_visit(appointment=signed), complaints="Better")
    draft = make_appointment(doctor, today_at(location, 9))
    draft_visit = make_visit(appointment=draft)
    cancelled = make_appointment(
        doctor, today_at(location, 10), status=Appointment.Status.CANCELLED
    )
    waiting = make_appointment(doctor, today_at(location, 11), patient=with_history)

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


def test_every_value_a_row_shows_is_escaped(client):
    location = make_location(name='Main <St> & "Co"', time_zone="UTC")
    doctor = make_practitioner(location, display_name='Dr. <b>O\'Neil</b> & "Co"')
    client.force_login(doctor.user)
    patient = make_patient(
        first_name='<script>alert("x")</script>', last_name="O'Brien & <i>Sons</i>"
    )
    kind = make_appointment_type([doctor], name="Adjust <em>\"long\"</em> & 'more'")
    appointment = make_appointment(doctor, today_at(location, 9), patient=patient, kind=kind)

    html = client.get(reverse("home")).content.decode()

    for raw in ("<script>", "<i>", "<em>", "<b>", "<St>"):
        assert raw not in html
    row = re.search(r'<li class="appointment.*?</li>', html)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', row)[1]
    start = re.search(r'<time datetime="([^"]*)"', row)[1]
    # Django's own escaping of each value is the row's contract.
    expected = format_html(
        '<li class="appointment status-{}"><time datetime="{}">09:00–09:20</time> '
        '<a class="patient" href="{}">{}</a> <span class="type">{}</span> '
        '<span class="status">{}</span><span class="visit-link"> <a href="{}">Chart</a> '
        '<form method="post" action="{}" class="inline"><input type="hidden" '
        'name="csrfmiddlewaretoken" value="{}"><button type="submit" class="button small">'
        "Start visit</button></form></span></li>",
        appointment.status,
        start,
        reverse("patients:detail", args=[patient.pk]),
        f"{patient.first_name} {patient.last_name}",
        kind.name,
        appointment.get_status_display(),
        reverse("charting:chart", args=[patient.pk]),
        reverse("charting:start_visit", args=[appointment.pk]),
        token,
    )
    assert row == expected
    assert format_html("{}", location.name) in html
    assert format_html('aria-label="{}"', doctor.display_name) in html


def test_rows_write_times_on_the_clinics_twelve_hour_clock(client):
    rules = ClinicSettings.load()
    rules.time_format = CLOCK_12
    rules.save()
    location = make_location(time_zone="UTC")
    doctor = make_practitioner(location)
    client.force_login(doctor.user)
    make_appointment(doctor, today_at(location, 14))

    html = client.get(reverse("home")).content.decode()

    assert ">2:00 PM–2:20 PM</time>" in html
