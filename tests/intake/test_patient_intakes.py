import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.services import Channel, record_red_flag_handling, save_step
from tests.factories import (
    intake_sections,
    make_complete_intake,
    make_intake,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

DONE = timezone.make_aware(dt.datetime(2025, 3, 3, 10, 15))


def _url(patient):
    return reverse("intake:patient_intakes", args=[patient.pk])


def test_practitioner_reads_every_section_of_a_complete_intake(client):
    patient = make_patient()
    make_complete_intake(
        patient, completed_at=DONE, red_flags={"lb_saddle_numbness": "yes"}, rmdq_ticks=9, nprs=7
    )
    doctor = make_user(Role.PRACTITIONER)
    finding = patient.red_flag_findings.get()
    record_red_flag_handling(finding.pk, doctor, "referred")
    client.force_login(doctor)

    response = client.get(_url(patient))

    text = response.content.decode()
    assert response.status_code == 200
    assert "complete, sent 3 Mar 2025" in text and "in progress" not in text
    assert "1985-03-01" in text and "pat@example.com" in text  # demographics
    assert "Health conditions" in text and "Medicines" in text  # history, medications
    assert "Low back pain" in text and "Less than 6 weeks ago" in text  # region and onset
    assert "<td>6</td>" in text  # severity
    assert "numbness" in text and "<strong>Yes</strong>" in text  # the red-flag answer
    assert "Possible cauda equina syndrome" in text
    assert "Referred for medical assessment" in text  # its handling
    assert "Consent to care" in text and "Given " in text
    assert "Roland-Morris" in text and "<td>9</td>" in text and "<td>7</td>" in text


def test_half_finished_intake_is_shown_as_in_progress_never_complete(client):
    patient = make_patient()
    intake = make_intake(patient)
    save_step(intake, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)
    client.force_login(make_user(Role.PRACTITIONER))

    text = client.get(_url(patient)).content.decode()

    assert "in progress (not complete)" in text
    assert "complete, sent" not in text
    assert "Scored when the intake is complete." in text


def test_viewing_intakes_writes_an_access_log_row(client):
    patient = make_patient()
    make_complete_intake(patient)
    practitioner = make_user(Role.PRACTITIONER)
    client.force_login(practitioner)

    client.get(_url(patient))

    row = AccessLog.objects.get(patient=patient, action=Action.VIEW_INTAKES)
    assert row.user == practitioner


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PATIENT])
def test_non_practitioners_may_not_read_intakes(client, role):
    patient = make_patient()
    make_complete_intake(patient)
    client.force_login(make_user(role))

    response = client.get(_url(patient))

    assert response.status_code == 403
    assert not AccessLog.objects.filter(patient=patient, action=Action.VIEW_INTAKES).exists()


def test_outcomes_page_links_to_the_intakes(client):
    patient = make_patient()
    client.force_login(make_user(Role.PRACTITIONER))

    response = client.get(reverse("outcomes:patient", args=[patient.pk]))

    assert _url(patient) in response.content.decode()


def test_chart_page_links_to_the_intakes(client):
    patient = make_patient()
    client.force_login(make_user(Role.PRACTITIONER))

    response = client.get(reverse("charting:chart", args=[patient.pk]))

    assert _url(patient) in response.content.decode()
