"""Patients see the questions; licences, sources and software notes are for staff."""

import re

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.intake.instruments import complaints, instruments_for_complaint
from sotclinic.intake.models import FollowUpRequest
from sotclinic.intake.services import follow_up_token, intake_token
from sotclinic.intake.steps import instruments_for
from tests.factories import (
    intake_sections,
    make_complete_intake,
    make_intake,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db

ALL = tuple(complaints())
#: Words that belong to provenance, never to a question a patient answers.
PROVENANCE_WORDS = (
    "licen",
    "copyright",
    "public domain",
    "open-source",
    "open source",
    "sotclinic",
    "redistribut",
    "mapi",
    "software",
)


def _provenance_texts():
    """Every provenance text the instruments carry: licence, sources, gaps, not-shipped notes."""
    texts = []
    for instrument in instruments_for(ALL, follow_up=True):
        texts += [
            instrument.licence.basis,
            instrument.licence.holder,
            instrument.licence.verification,
            instrument.scoring.source,
            instrument.mcid.source,
        ]
    for complaint in ALL:
        offer = instruments_for_complaint(complaint)
        texts += [offer.gap] if offer.gap else []
        texts += [entry.why_not_shipped for entry in offer.not_shipped]
    return texts


def _visible_text(html):
    """The words a patient reads: tags and their attributes (static file paths) removed."""
    return re.sub(r"<[^>]+>", " ", html)


def _assert_questions_only(html):
    lowered = _visible_text(html).lower()
    for word in PROVENANCE_WORDS:
        assert word not in lowered, word
    for text in _provenance_texts():
        assert text[:60] not in html, text[:60]


def _intake_at_questionnaires(client):
    intake = make_intake()
    data = intake_sections(complaints=ALL)
    url = lambda step: reverse("intake:step", args=[intake_token(intake), step])  # noqa: E731
    client.post(url("about"), data["about"])
    client.post(url("history"), data["history"])
    chosen = {"complaints": list(ALL)}
    for c in ALL:
        chosen.update({f"{c}_onset": "under_6_weeks", f"{c}_severity": "5"})
    client.post(url("complaints"), chosen)
    client.post(url("red_flags"), data["red_flags"])
    return url("questionnaires")


def test_the_intake_questionnaire_page_shows_questions_and_no_provenance(client):
    url = _intake_at_questionnaires(client)

    page = client.get(url)
    html = page.content.decode()

    assert page.status_code == 200
    assert "Roland-Morris" in html and "Sleep diary" in html  # the questions are there
    _assert_questions_only(html)


def test_the_intake_questionnaire_page_with_errors_shows_no_provenance(client):
    url = _intake_at_questionnaires(client)

    page = client.post(url, {})

    assert page.status_code == 400
    _assert_questions_only(page.content.decode())


def test_the_follow_up_page_shows_questions_and_no_provenance(client):
    intake = make_complete_intake(make_patient(), complaints=ALL)
    request = FollowUpRequest.objects.create(
        patient=intake.patient, baseline_intake=intake, sequence=1
    )
    url = reverse("intake:follow_up", args=[follow_up_token(request)])

    page = client.get(url)

    assert page.status_code == 200 and "Global Rating of Change" in page.content.decode()
    _assert_questions_only(page.content.decode())


def test_staff_see_each_instruments_licence_and_source_on_the_outcomes_page(client):
    intake = make_complete_intake(make_patient(), complaints=("low_back",))
    client.force_login(make_user(Role.PRACTITIONER))

    html = client.get(reverse("outcomes:patient", args=[intake.patient_id])).content.decode()

    for instrument in instruments_for(("low_back",)):
        assert "Licence:" in html
        assert instrument.licence.basis[:50] in html.replace("&#x27;", "'")
