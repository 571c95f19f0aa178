"""``next_appointments``: each patient's soonest upcoming appointment that is not cancelled, the
same for a page of patients (its query compiled once per number of patients) as for more."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.scheduling.selectors import next_appointments
from tests.factories import make_appointment, make_location, make_patient, make_practitioner

pytestmark = pytest.mark.django_db


def test_a_page_of_patients_and_a_longer_list_read_the_same_next_appointments():
    doctor = make_practitioner(make_location(time_zone="Europe/London"))
    now = timezone.now().replace(microsecond=0)
    patients = [make_patient() for _ in range(60)]
    for n, patient in enumerate(patients[:40]):
        make_appointment(doctor, now + dt.timedelta(days=2, hours=n), patient=patient)
        make_appointment(doctor, now - dt.timedelta(days=1, hours=n), patient=patient)
    ids = [p.pk for p in patients]

    many = next_appointments(ids)
    page = next_appointments(ids[:25])
    again = next_appointments(reversed(ids[5:30]))

    assert len(many) == 40
    assert page == {pk: many[pk] for pk in ids[:25]}
    assert again == {pk: many[pk] for pk in ids[5:30]}
    assert many[ids[3]] == (now + dt.timedelta(days=2, hours=3), "Europe/London")
    assert next_appointments([]) == {}
