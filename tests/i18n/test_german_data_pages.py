"""A German clinic's intake and red-flag pages show the data files' texts in German, and the
questionnaires in their source's English with a note saying why."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from sotclinic.accounts.models import Role
from sotclinic.intake.instruments import complaints, instruments_for_complaint
from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.precautions import default_precautions
from sotclinic.intake.redflags import questions_for
from sotclinic.intake.redflags.table import default_table
from sotclinic.intake.services import intake_token
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import PASSWORD, make_complete_intake, make_intake, make_user

pytestmark = pytest.mark.django_db

ALL = tuple(complaints())


@pytest.fixture(autouse=True)
def german_clinic():
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()


def _page(response) -> str:
    """The words on the page, tags removed and entities decoded."""
    assert response.status_code == 200
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def _german(text) -> str:
    with translation.override("de"):
        return str(text)


def _step(client, intake, step):
    return client.get(reverse("intake:step", args=[intake_token(intake), step]))


def _assert_german(page: str, texts) -> None:
    for text in texts:
        assert text.source not in page, text.source
        assert _german(text) in page, _german(text)


def test_the_complaint_and_history_steps_show_the_data_texts_in_german(client):
    intake = make_intake()

    complaints_page = _page(_step(client, intake, "complaints"))
    history_page = _page(_step(client, intake, "history"))

    _assert_german(complaints_page, [instruments_for_complaint(c).title for c in ALL])
    _assert_german(history_page, [p.question for p in default_precautions().values()])


def _choose_complaints(client, intake, chosen):
    client.post(
        reverse("intake:step", args=[intake_token(intake), "complaints"]),
        {"complaints": list(chosen)}
        | {f"{c}_onset": "under_6_weeks" for c in chosen}
        | {f"{c}_severity": "4" for c in chosen},
    )


def test_the_safety_questions_are_shown_in_german(client):
    intake = make_intake()
    _choose_complaints(client, intake, ALL)

    page = _page(_step(client, intake, "red_flags"))

    _assert_german(page, [question.text for question in questions_for(ALL)])


def test_the_questionnaires_stay_in_english_with_a_note_on_a_german_page(client):
    intake = make_intake()
    _choose_complaints(client, intake, ["low_back"])

    response = _step(client, intake, "questionnaires")
    page = _page(response)

    assert "wird auf Englisch angezeigt, in der Sprache seiner validierten Quelle" in page
    assert 'lang="en-GB"' in response.content.decode()
    assert "Roland-Morris" in page


def test_a_red_flag_finding_reads_in_german_for_german_staff(client):
    make_complete_intake(red_flags={"lb_saddle_numbness": "yes"})
    finding = RedFlagFinding.objects.get(rule_id="lb_cauda_equina")
    rule = next(r for r in default_table().rules if r.id == "lb_cauda_equina")
    # The record keeps the English source wording.
    assert finding.title == rule.title.source
    practitioner = make_user(Role.PRACTITIONER)
    client.login(username=practitioner.username, password=PASSWORD)

    page = _page(client.get(reverse("intake:red_flags", args=[finding.patient_id])))

    _assert_german(
        page,
        [
            rule.title,
            rule.explanation,
            rule.severity.label,
            rule.severity.action,
            default_table().caveat,
        ],
    )
