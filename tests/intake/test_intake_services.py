import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.models import Intake, QuestionnaireResponse, RedFlagFinding
from sotclinic.intake.services import (
    Channel,
    HandlingInvalid,
    IntakeClosed,
    IntakeIncomplete,
    complete_intake,
    record_red_flag_handling,
    save_step,
)
from sotclinic.intake.steps import applicable_steps
from tests.factories import intake_sections, make_complete_intake, make_intake, make_user

pytestmark = pytest.mark.django_db


def test_half_finished_intake_is_not_complete_and_cannot_be_completed():
    intake = make_intake()
    data = intake_sections()
    for step in ("about", "history", "complaints"):
        save_step(intake, step, data[step], actor=None, channel=Channel.LINK)

    with pytest.raises(IntakeIncomplete) as error:
        complete_intake(intake.pk)

    intake.refresh_from_db()
    assert error.value.step == "red_flags"
    assert intake.status == Intake.Status.DRAFT
    assert not Intake.objects.filter(status="complete").exists()
    assert not QuestionnaireResponse.objects.exists()


def test_progress_is_saved_per_step():
    intake = make_intake()

    save_step(intake, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)

    intake.refresh_from_db()
    assert intake.steps_done == ["about"]
    assert intake.demographics["date_of_birth"] == "1985-03-01"


def test_completing_scores_baseline_questionnaires_with_their_version():
    intake = make_complete_intake(rmdq_ticks=9, nprs=7)

    scores = {
        r.instrument_id: (r.score, r.instrument_version, r.context) for r in intake.responses.all()
    }
    assert scores == {"rmdq": (9.0, 1, "baseline"), "nprs": (7.0, 2, "baseline")}
    assert intake.status == "complete" and intake.consent_at is not None


def test_negative_screen_raises_no_finding():
    intake = make_complete_intake()

    assert not RedFlagFinding.objects.filter(patient=intake.patient).exists()
    assert intake.screen_result["positive"] is False


def test_positive_screen_raises_one_finding_per_rule_with_its_source():
    intake = make_complete_intake(red_flags={"lb_saddle_numbness": "yes", "any_weight_loss": "yes"})

    findings = {f.rule_id: f for f in RedFlagFinding.objects.filter(patient=intake.patient)}
    assert "lb_cauda_equina" in findings
    cauda = findings["lb_cauda_equina"]
    assert cauda.severity == "urgent" and cauda.source and cauda.handled_at is None


def test_intake_without_consent_to_care_is_not_completed():
    intake = make_intake()
    data = intake_sections()
    for step in ("about", "history", "complaints"):
        save_step(intake, step, data[step], actor=None, channel=Channel.LINK)
    intake.refresh_from_db()
    for step in applicable_steps(intake)[3:]:
        section = {"consent": False} if step == "consent" else data[step]
        outcome = save_step(intake, step, section, actor=None, channel=Channel.LINK)

    with pytest.raises(IntakeIncomplete) as error:
        complete_intake(intake.pk)

    intake.refresh_from_db()
    assert not outcome.completed and outcome.next_step == "consent"
    assert error.value.step == "consent"
    assert intake.status == Intake.Status.DRAFT and intake.completed_at is None
    assert not QuestionnaireResponse.objects.filter(intake=intake).exists()
    assert not RedFlagFinding.objects.filter(patient=intake.patient).exists()


def test_completed_intake_cannot_change():
    intake = make_complete_intake()

    with pytest.raises(IntakeClosed):
        save_step(intake, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)
    with pytest.raises(IntakeClosed):
        complete_intake(intake.pk)


def test_changing_complaints_asks_dependent_steps_again():
    intake = make_intake()
    data = intake_sections()
    for step in ("about", "history", "complaints", "red_flags", "questionnaires"):
        save_step(intake, step, data[step], actor=None, channel=Channel.LINK)

    neck = intake_sections(complaints=("neck",))["complaints"]
    intake = save_step(intake, "complaints", neck, actor=None, channel=Channel.LINK).intake

    assert "red_flags" not in intake.steps_done and "questionnaires" not in intake.steps_done
    assert "lb_saddle_numbness" not in intake.red_flag_answers
    assert "rmdq" not in intake.questionnaire_answers


def test_sleep_only_intake_asks_the_sleep_safety_questions_and_the_sleep_diary():
    intake = make_intake()
    save_step(
        intake,
        "complaints",
        intake_sections(complaints=("sleep",))["complaints"],
        actor=None,
        channel=Channel.LINK,
    )
    intake.refresh_from_db()

    assert applicable_steps(intake) == (
        "about",
        "history",
        "complaints",
        "red_flags",
        "questionnaires",
        "consent",
    )


def test_ruled_out_requires_a_reason():
    intake = make_complete_intake(red_flags={"lb_saddle_numbness": "yes"})
    finding = RedFlagFinding.objects.get(patient=intake.patient)
    doctor = make_user(Role.PRACTITIONER)

    with pytest.raises(HandlingInvalid, match="reason"):
        record_red_flag_handling(finding.pk, doctor, "ruled_out", "  ")

    finding.refresh_from_db()
    assert finding.handled_at is None


def test_handling_closes_the_flag_once():
    intake = make_complete_intake(red_flags={"lb_saddle_numbness": "yes"})
    finding = RedFlagFinding.objects.get(patient=intake.patient)
    doctor = make_user(Role.PRACTITIONER)

    record_red_flag_handling(finding.pk, doctor, "referred")

    finding.refresh_from_db()
    assert finding.handling == "referred" and finding.handled_by == doctor
    with pytest.raises(HandlingInvalid, match="already"):
        record_red_flag_handling(finding.pk, doctor, "ruled_out", "fine")


def test_front_desk_cannot_record_handling():
    intake = make_complete_intake(red_flags={"lb_saddle_numbness": "yes"})
    finding = RedFlagFinding.objects.get(patient=intake.patient)

    with pytest.raises(HandlingInvalid):
        record_red_flag_handling(finding.pk, make_user(Role.FRONT_DESK), "referred")


def test_age_from_date_of_birth_feeds_age_rules():
    intake = make_complete_intake(
        dob="1960-01-01",
        red_flags={"lb_first_episode": "yes"},
        completed_at=timezone.make_aware(dt.datetime(2025, 6, 1)),
    )

    assert RedFlagFinding.objects.filter(patient=intake.patient, rule_id="lb_age_at_onset").exists()
