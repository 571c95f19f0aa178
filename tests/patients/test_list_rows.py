"""What each row of the staff patient list writes (``staff.patient_rows``): every stored
value escaped, the phone as people write it or marked as kept as typed, and the next
appointment on its location's clock."""

import datetime as dt
import html
import re

import pytest

from sotclinic import clinic_locale
from sotclinic.patients.models import Patient
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
)

pytestmark = pytest.mark.django_db


def _row(desk, typed: str) -> str:
    page = desk.get("/staff/patients/", {"q": typed}).content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", page, re.S)
    assert len(rows) == 1, rows
    return " ".join(rows[0].split())


def test_every_stored_value_is_escaped(desk):
    patient = make_patient(
        first_name="<i>Ann</i>", last_name="<b>Zed&\"q'</b>", email="z<b>@example.com"
    )
    Patient.objects.filter(pk=patient.pk).update(phone="+1 (555) <x>")  # kept as typed

    row = _row(desk, "zed")

    for raw in ("<i>Ann</i>", "<b>Zed&\"q'</b>", "z<b>@example.com", "+1 (555) <x>"):
        assert raw not in row
        assert html.escape(raw) in row
    assert 'href="tel:+1(555)&lt;x&gt;"' in row
    assert '<small class="caution">(not checked)</small>' in row
    assert '<span class="empty">none booked</span>' in row


def test_the_phone_is_written_nationally_and_the_next_appointment_on_its_clinic_clock(desk):
    location = make_location(name="Uptown", time_zone="America/New_York")
    doctor = make_practitioner(location)
    patient = make_patient(last_name="Yarrow", phone="+442079460000", email="")
    start = dt.datetime(2031, 1, 7, 15, 30, tzinfo=dt.UTC)  # a Tuesday, 10:30 in New York
    make_appointment(doctor, start, patient=patient)

    with clinic_locale.override(clinic_locale.ClinicLocale(phone_region="GB")):
        row = _row(desk, "yarrow")

    assert '<a href="tel:+442079460000">020 7946 0000</a></td>' in row
    assert "(not checked)" not in row
    assert '<td data-label="E-mail" class="email">—</td>' in row
    assert '<time datetime="2031-01-07T10:30:00-05:00">Tue 7 Jan 2031, 10:30</time>' in row
    assert '<td data-label="Born">01/01/1980</td>' in row
