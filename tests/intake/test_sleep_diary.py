"""The sleep diary: the standard diary metrics computed from one night's entries (worked
examples), asked through the patient's pages and charted like the other instruments."""

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.intake.instruments import ScoringError, get_instrument, score
from sotclinic.intake.models import QuestionnaireResponse
from sotclinic.intake.services import intake_token
from tests.factories import SLEEP_NIGHT, intake_sections, make_intake, make_user


def _night(**changes):
    return {**SLEEP_NIGHT, **changes}


def _metrics(answers):
    return dict(score("sleep_diary", answers).metrics)


def test_a_night_across_midnight_gives_the_standard_metrics():
    # 22:30 into bed, 23:00 trying, 30 min to fall asleep, 40 min awake, last woke 06:00,
    # up 06:30. TIB 22:30-06:30 = 480. TST = (23:00-06:00 = 420) - 30 - 40 = 350.
    metrics = _metrics(SLEEP_NIGHT)

    assert metrics == {
        "time_in_bed_minutes": 480,
        "sleep_onset_latency_minutes": 30,
        "wake_after_sleep_onset_minutes": 40,
        "awakenings": 2,
        "total_sleep_time_minutes": 350,
        "sleep_efficiency_percent": 72.9,  # 350 / 480
    }
    assert score("sleep_diary", SLEEP_NIGHT).value == 72.9


def test_a_night_that_starts_after_midnight_is_read_on_one_day():
    # 00:30 into bed and trying, 10 min to sleep, no waking, last woke 07:30, up 07:30.
    metrics = _metrics(
        _night(
            sd_into_bed="00:30",
            sd_tried_to_sleep="00:30",
            sd_onset_minutes=10,
            sd_awakenings=0,
            sd_awake_minutes=0,
            sd_final_awakening="07:30",
            sd_out_of_bed="07:30",
        )
    )

    assert metrics["time_in_bed_minutes"] == 420
    assert metrics["total_sleep_time_minutes"] == 410
    assert metrics["sleep_efficiency_percent"] == 97.6  # 410 / 420 = 97.62


def test_time_after_the_final_awakening_counts_in_bed_but_not_as_waso():
    # Same night, but lying in until 08:00 after waking for good at 06:00.
    metrics = _metrics(_night(sd_out_of_bed="08:00"))

    assert metrics["wake_after_sleep_onset_minutes"] == 40
    assert metrics["time_in_bed_minutes"] == 570
    assert metrics["sleep_efficiency_percent"] == 61.4  # 350 / 570


@pytest.mark.parametrize(
    ("changes", "item", "message"),
    [
        ({"sd_onset_minutes": 400, "sd_awake_minutes": 40}, "sd_onset_minutes", "longer"),
        ({"sd_into_bed": "25:00"}, "sd_into_bed", "not a time"),
        ({"sd_into_bed": "late"}, "sd_into_bed", "such as 23:15"),
        ({"sd_final_awakening": None}, "sd_final_awakening", "required"),
        ({"sd_awakenings": 0}, "sd_awakenings", "time awake"),
        ({"sd_awake_minutes": 721}, "sd_awake_minutes", "outside"),
    ],
)
def test_entries_that_do_not_fit_together_are_refused_naming_the_question(changes, item, message):
    with pytest.raises(ScoringError, match=message) as error:
        score("sleep_diary", _night(**changes))
    assert error.value.item == item


def test_the_data_file_quotes_the_consensus_sleep_diary_definitions():
    diary = get_instrument("sleep_diary")

    assert "Carney" in diary.scoring.source and "sleep onset latency (SOL)" in diary.scoring.source
    assert "wakefulness after initial sleep onset (WASO)" in diary.scoring.source
    assert diary.licence.free_to_embed and "own words" in diary.licence.basis


@pytest.mark.django_db
def test_a_patient_records_a_night_on_the_intake_and_staff_see_it_charted(client):
    intake = make_intake()
    data = intake_sections(complaints=("sleep",))
    url = lambda step: reverse("intake:step", args=[intake_token(intake), step])  # noqa: E731
    client.post(url("about"), data["about"])
    client.post(url("history"), data["history"])
    client.post(
        url("complaints"),
        {"complaints": ["sleep"], "sleep_onset": "over_3_months", "sleep_severity": "6"},
    )
    client.post(url("red_flags"), data["red_flags"])
    page = client.get(url("questionnaires")).content.decode()
    client.post(
        url("questionnaires"), {f"sleep_diary__{k}": str(v) for k, v in SLEEP_NIGHT.items()}
    )
    client.post(url("consent"), {"consent": "on"})

    response = QuestionnaireResponse.objects.get(intake=intake, instrument_id="sleep_diary")
    client.force_login(make_user(Role.PRACTITIONER))
    outcomes = client.get(reverse("outcomes:patient", args=[intake.patient_id])).content.decode()
    chart = client.get(reverse("outcomes:chart", args=[intake.patient_id, "sleep_diary"]))

    assert 'type="time"' in page and 'name="sleep_diary__sd_into_bed"' in page
    assert response.score == 72.9
    assert response.score_detail["metrics"]["total_sleep_time_minutes"] == 350
    assert "Sleep diary" in outcomes and "total sleep time (min): 350" in outcomes
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
def test_a_wrong_night_gets_a_message_next_to_the_question_and_saves_nothing(client):
    intake = make_intake()
    data = intake_sections(complaints=("sleep",))
    url = lambda step: reverse("intake:step", args=[intake_token(intake), step])  # noqa: E731
    client.post(url("about"), data["about"])
    client.post(url("history"), data["history"])
    client.post(
        url("complaints"),
        {"complaints": ["sleep"], "sleep_onset": "over_3_months", "sleep_severity": "6"},
    )
    answers = {f"sleep_diary__{k}": str(v) for k, v in SLEEP_NIGHT.items()}
    answers["sleep_diary__sd_onset_minutes"] = "500"

    page = client.post(url("questionnaires"), answers)

    assert page.status_code == 400
    assert "longer than the" in page.content.decode()
    intake.refresh_from_db()
    assert intake.questionnaire_answers == {}
