import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.selectors import open_red_flags
from tests.factories import make_complete_intake, make_patient, make_user

pytestmark = pytest.mark.django_db

BANNER = 'class="banner-red-flag"'


def _flagged_patient():
    intake = make_complete_intake(make_patient(), red_flags={"lb_saddle_numbness": "yes"})
    return intake.patient, RedFlagFinding.objects.get(patient=intake.patient)


def _handle(client, patient, finding, handling, note=""):
    prefix = f"f{finding.pk}"
    return client.post(
        reverse("intake:red_flags", args=[patient.pk]),
        {"finding": finding.pk, f"{prefix}-handling": handling, f"{prefix}-note": note},
    )


def test_banner_shows_on_patient_pages_until_handled(client):
    patient, finding = _flagged_patient()
    client.force_login(make_user(Role.PRACTITIONER))
    outcomes = reverse("outcomes:patient", args=[patient.pk])

    before = client.get(outcomes).content.decode()
    _handle(client, patient, finding, "referred")
    after = client.get(outcomes).content.decode()

    assert BANNER in before and "Possible cauda equina syndrome" in before
    assert BANNER not in after
    assert not open_red_flags(patient).exists()


def test_ruling_out_without_a_reason_keeps_the_banner(client):
    patient, finding = _flagged_patient()
    client.force_login(make_user(Role.PRACTITIONER))

    response = _handle(client, patient, finding, "ruled_out", "")

    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert BANNER in response.content.decode()
    assert open_red_flags(patient).count() == 1


def test_ruling_out_with_a_reason_is_recorded(client):
    patient, finding = _flagged_patient()
    doctor = make_user(Role.PRACTITIONER)
    client.force_login(doctor)

    response = _handle(client, patient, finding, "ruled_out", "Saddle sensation normal on exam.")

    finding.refresh_from_db()
    assert response.status_code == 302
    assert (finding.handling, finding.handled_by, finding.handling_note) == (
        "ruled_out",
        doctor,
        "Saddle sensation normal on exam.",
    )


def test_patient_without_flags_has_no_banner(client):
    patient = make_complete_intake(make_patient()).patient
    client.force_login(make_user(Role.PRACTITIONER))

    assert BANNER not in client.get(reverse("outcomes:patient", args=[patient.pk])).content.decode()


def test_the_chart_shows_the_banner_while_a_flag_is_open_and_reads_no_flags_without_one(client):
    patient, finding = _flagged_patient()
    client.force_login(make_user(Role.PRACTITIONER))
    chart = reverse("charting:chart", args=[patient.pk])

    before = client.get(chart).content.decode()
    _handle(client, patient, finding, "referred")
    with CaptureQueriesContext(connection) as after_queries:
        after = client.get(chart).content.decode()

    assert BANNER in before and "Possible cauda equina syndrome" in before
    assert BANNER not in after
    # The patient's row said no flag is open: the flags themselves were not read.
    assert not [
        q for q in after_queries if 'FROM "intake_redflagfinding"' in q["sql"].split("EXISTS")[0]
    ]
