"""The intake link reaches a staff-booked new patient: in the confirmation and the reminder
until the intake is complete, and on demand from the appointment page."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.models import Intake
from sotclinic.messaging.models import Message
from sotclinic.messaging.services import written
from sotclinic.scheduling import services
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_complete_intake,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://clinic.example.org"


@pytest.fixture
def clinic():
    location = make_location(name="Praxis am Park", phone="+49 30 1234567")
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    start = timezone.now() + dt.timedelta(days=3)
    return location, doctor, kind, start.replace(microsecond=0)


def _book(clinic, patient):
    location, doctor, kind, start = clinic
    return services.book_appointment(
        patient=patient,
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=start,
        outside_hours_by=make_user(Role.FRONT_DESK),
        by=make_user(Role.FRONT_DESK),
    )


def test_staff_booked_new_patient_gets_the_intake_link_in_confirmation_and_reminder(clinic):
    patient = make_patient()

    _book(clinic, patient)
    call_command("sendreminders", "--hours", "96", stdout=io.StringIO())

    confirmation, reminder = map(written, Message.objects.order_by("pk"))
    assert reminder.kind == "booking.reminder"
    for message in (confirmation, reminder):
        assert "https://clinic.example.org/intake/" in message.body
        assert 'href="https://clinic.example.org/intake/' in message.html


def test_reminder_leaves_the_intake_out_once_it_is_complete(clinic):
    location, doctor, kind, start = clinic
    patient = make_patient()
    make_appointment(doctor, start, patient=patient, kind=kind, location=location)
    make_complete_intake(patient)

    call_command("sendreminders", "--hours", "96", stdout=io.StringIO())

    [reminder] = map(written, Message.objects.all())
    assert reminder.body and "/intake/" not in reminder.body


def test_front_desk_sends_the_intake_link_from_the_appointment_page(client, clinic):
    appointment = _book(clinic, make_patient(first_name="Olivia"))
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/appointments/{appointment.pk}/")
    response = client.post(f"/staff/appointments/{appointment.pk}/intake-link/", follow=True)
    client.post(f"/staff/appointments/{appointment.pk}/intake-link/")

    assert "Send the intake link" in page.content.decode()
    assert "Start the intake on the tablet" in page.content.decode()
    assert "Intake link sent to the patient." in response.content.decode()
    sent = Message.objects.filter(kind="intake.requested").order_by("pk")
    assert sent.count() == 2
    assert "Hello Olivia" in sent[0].body and "https://clinic.example.org/intake/" in sent[0].body
    assert Intake.objects.filter(patient=appointment.patient).count() == 1  # the same intake
    assert sent[0].body.split("/intake/")[1].split()[0] != ""


def test_sending_the_link_after_the_intake_is_complete_is_refused(client, clinic):
    patient = make_patient()
    appointment = _book(clinic, patient)
    make_complete_intake(patient)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(f"/staff/appointments/{appointment.pk}/intake-link/", follow=True)

    assert "completed an intake already" in response.content.decode()
    assert not Message.objects.filter(kind="intake.requested").exists()


def test_sending_the_link_to_a_patient_without_address_is_refused(client, clinic):
    appointment = _book(clinic, make_patient(email=""))
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(f"/staff/appointments/{appointment.pk}/intake-link/", follow=True)

    assert "no e-mail address" in response.content.decode()
    assert not Message.objects.exists()


def test_patients_cannot_send_intake_links(client, clinic):
    appointment = _book(clinic, make_patient())
    client.force_login(make_user(Role.PATIENT))

    response = client.post(f"/staff/appointments/{appointment.pk}/intake-link/")

    assert response.status_code == 403
    assert not Message.objects.filter(kind="intake.requested").exists()
