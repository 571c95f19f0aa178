import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.services import record_red_flag_handling
from sotclinic.scheduling.notifications import send_confirmation
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
)

pytestmark = pytest.mark.django_db

BANNER = 'class="banner-red-flag"'


def test_red_flag_banner_shows_on_chart_and_visit_until_handled(client):
    doctor = make_practitioner(make_location())
    patient = make_patient()
    make_complete_intake(patient, red_flags={"lb_saddle_numbness": "yes"})
    visit = make_visit(doctor, patient)
    client.force_login(doctor.user)
    pages = [
        reverse("charting:chart", args=[patient.pk]),
        reverse("charting:visit", args=[visit.pk]),
    ]

    before = [client.get(url).content.decode() for url in pages]
    finding = RedFlagFinding.objects.get(patient=patient)
    record_red_flag_handling(finding.pk, doctor.user, "ruled_out", "Normal saddle sensation.")
    after = [client.get(url).content.decode() for url in pages]

    assert all(BANNER in page and "cauda equina" in page for page in before)
    assert all(BANNER not in page for page in after)


def test_booking_confirmation_carries_the_intake_link(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    doctor = make_practitioner(make_location())
    appointment = make_appointment(
        doctor, dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC), patient=make_patient()
    )

    with django_capture_on_commit_callbacks(execute=True):
        send_confirmation(appointment, base_url="https://clinic.example")

    assert "https://clinic.example/intake/" in mail.outbox[0].body
