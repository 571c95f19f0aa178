"""The booking confirmation asks for the intake only while the patient has not completed one."""

import datetime as dt

import pytest

from sotclinic.intake.models import Intake
from sotclinic.intake.services import intake_link_for
from sotclinic.scheduling.notifications import send_confirmation
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_location,
    make_patient,
    make_practitioner,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)


def test_confirmation_carries_the_intake_link_for_a_new_patient(
    mailoutbox, django_capture_on_commit_callbacks
):
    appointment = make_appointment(make_practitioner(make_location()), START)

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        send_confirmation(appointment, base_url="https://clinic.example")

    body = mailoutbox[0].body
    assert "fill in the health questionnaire" in body
    assert "https://clinic.example/intake/" in body


def test_confirmation_leaves_the_intake_out_once_the_patient_completed_one(
    mailoutbox, django_capture_on_commit_callbacks
):
    patient = make_patient()
    make_complete_intake(patient)
    appointment = make_appointment(make_practitioner(make_location()), START, patient=patient)

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        send_confirmation(appointment, base_url="https://clinic.example")

    body = mailoutbox[0].body
    assert "questionnaire" not in body and "/intake/" not in body
    assert "/booking/" in body  # the manage link is still there
    assert Intake.objects.filter(patient=patient).count() == 1  # no new draft opened


def test_no_intake_link_exists_for_a_patient_with_a_complete_intake():
    patient = make_patient()
    make_complete_intake(patient)
    appointment = make_appointment(make_practitioner(make_location()), START, patient=patient)

    assert intake_link_for(appointment) is None
