"""Ending a tablet intake session: "End and hand back"."""

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.models import Intake
from tests.factories import intake_sections, make_patient, make_user

pytestmark = pytest.mark.django_db


def _tablet(client):
    """A tablet on which the front desk opened a patient's intake."""
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))
    client.post(reverse("intake:start_kiosk", args=[patient.pk]))
    return patient


def test_kiosk_step_pages_offer_end_and_hand_back(client):
    _tablet(client)

    page = client.get(reverse("intake:kiosk"), follow=True)

    assert "End and hand back" in page.content.decode()
    assert reverse("intake:kiosk_end") in page.content.decode()


def test_signed_link_pages_do_not_offer_it(client):
    from sotclinic.intake.services import intake_token

    intake = Intake.objects.create(patient=make_patient())

    page = client.get(reverse("intake:fill", args=[intake_token(intake)]), follow=True)

    assert "End and hand back" not in page.content.decode()


def test_ending_keeps_the_answers_and_closes_the_intake_on_the_device(client):
    patient = _tablet(client)
    client.post(reverse("intake:kiosk_step", args=["about"]), intake_sections()["about"])

    response = client.post(reverse("intake:kiosk_end"))

    assert response.status_code == 200 and "hand the tablet back" in response.content.decode()
    intake = Intake.objects.get(patient=patient)
    assert intake.status == "draft" and "about" in intake.steps_done
    for step in (None, "history", "about"):
        url = reverse("intake:kiosk_step", args=[step]) if step else reverse("intake:kiosk")
        page = client.get(url)
        assert page.status_code == 404 and "No intake is open" in page.content.decode()
    assert AccessLog.objects.filter(patient=patient, action=Action.INTAKE_KIOSK_END).exists()


def test_after_ending_staff_pages_need_a_new_log_in(client):
    patient = _tablet(client)

    client.post(reverse("intake:kiosk_end"))

    for url in (reverse("home"), reverse("charting:chart", args=[patient.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_ending_is_a_post_only(client):
    _tablet(client)

    assert client.get(reverse("intake:kiosk_end")).status_code == 405
    assert client.get(reverse("intake:kiosk"), follow=True).status_code == 200
