"""The clinic's tablet passes between the patient and the front desk: it never shows an answer
back, and every page it shows and every answer it takes is in the access log. The patient's
own link pages are logged too."""

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.services import Channel, intake_token, save_step
from tests.factories import intake_sections, make_intake, make_patient, make_user

pytestmark = pytest.mark.django_db

PRIVATE = {
    "conditions": "Type 1 diabetes",
    "surgeries": "Appendix out 2001",
    "medications": "Insulin glargine",
    "allergies": "Penicillin",
    "pregnant": "yes",
}


def _draft_with_history(patient):
    intake = make_intake(patient)
    data = intake_sections()
    save_step(intake, "about", data["about"], actor=None, channel=Channel.LINK)
    save_step(intake, "history", PRIVATE, actor=None, channel=Channel.LINK)
    save_step(intake, "complaints", data["complaints"], actor=None, channel=Channel.LINK)
    return intake


def _open_tablet(client, patient):
    client.force_login(make_user(Role.FRONT_DESK))
    client.post(reverse("intake:start_kiosk", args=[patient.pk]))


def test_tablet_does_not_show_answers_the_patient_already_gave(client):
    patient = make_patient()
    _draft_with_history(patient)
    _open_tablet(client, patient)

    pages = [
        client.get(reverse("intake:kiosk_step", args=[step])).content.decode()
        for step in ("history", "complaints", "about")
    ]

    for text in PRIVATE.values():
        if text != "yes":
            assert all(text not in page for page in pages)
    assert 'value="yes" checked' not in pages[0]
    assert 'value="low_back" checked' not in pages[1]
    assert "keep them and go on" in pages[0]


def test_answers_given_on_the_tablet_are_not_shown_when_paging_back(client):
    patient = make_patient()
    _open_tablet(client, patient)
    client.post(reverse("intake:kiosk_step", args=["about"]), intake_sections()["about"])
    client.post(reverse("intake:kiosk_step", args=["history"]), PRIVATE)

    back = client.get(reverse("intake:kiosk_step", args=["history"])).content.decode()

    assert "Insulin glargine" not in back and "Penicillin" not in back


def test_keeping_the_answers_leaves_them_stored(client):
    patient = make_patient()
    intake = _draft_with_history(patient)
    _open_tablet(client, patient)

    page = client.get(reverse("intake:kiosk_step", args=["history"]))
    client.get(page.context["keep_url"])

    intake.refresh_from_db()
    assert intake.health_history == PRIVATE


def test_every_tablet_page_shown_and_answer_taken_is_logged(client):
    patient = make_patient()
    _open_tablet(client, patient)

    client.get(reverse("intake:kiosk_step", args=["about"]))
    client.post(reverse("intake:kiosk_step", args=["about"]), intake_sections()["about"])
    client.get(reverse("intake:kiosk_step", args=["history"]))

    actions = list(
        AccessLog.objects.filter(patient=patient).order_by("id").values_list("action", "detail")
    )
    assert [a for a, _ in actions] == [
        Action.INTAKE_KIOSK_START,
        Action.VIEW_INTAKE_STEP,
        Action.INTAKE_STEP,
        Action.VIEW_INTAKE_STEP,
    ]
    assert actions[1][1].endswith("about") and actions[3][1].endswith("history")


def test_the_patients_own_link_pages_are_logged_and_still_show_their_answers(client):
    patient = make_patient()
    intake = _draft_with_history(patient)

    page = client.get(reverse("intake:step", args=[intake_token(intake), "history"]))

    assert "Insulin glargine" in page.content.decode()
    row = AccessLog.objects.get(patient=patient, action=Action.VIEW_INTAKE_STEP)
    assert row.user is None and row.detail == f"intake {intake.pk} history"
