"""Saving an intake step is one transaction: the answers, the urgent red flags and their alert,
the completion and the audit rows are stored together or not at all."""

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.audit.triggers import Guard
from sotclinic.intake.models import (
    Intake,
    PrecautionRecord,
    QuestionnaireResponse,
    RedFlagFinding,
)
from sotclinic.intake.services import (
    Channel,
    IntakeError,
    IntakeIncomplete,
    complete_intake,
    intake_token,
    save_step,
)
from sotclinic.intake.steps import applicable_steps
from sotclinic.messaging.models import Message
from tests.factories import (
    intake_sections,
    make_intake,
    make_location,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

CAUDA_EQUINA = {"lb_saddle_numbness": "yes", "spine_bladder_bowel": "yes"}


def refuse_inserts(table: str, condition: str | None = None) -> None:
    """Make the database itself refuse inserts into ``table`` (where ``condition`` holds) for
    the rest of this test; the test's transaction takes the trigger away again."""
    guard = Guard(
        name="guard_test_refuses_insert",
        table=table,
        events=("INSERT",),
        message="refused by the test",
        condition=condition,
    )
    sql = guard.postgresql_sql() if connection.vendor == "postgresql" else guard.sqlite_sql()
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _save(intake, step, answers, **kwargs):
    return save_step(intake, step, answers, actor=None, channel=Channel.LINK, **kwargs)


def _draft_up_to(step: str, **sections) -> Intake:
    """A draft with every step before ``step`` saved."""
    intake = make_intake()
    data = intake_sections(**sections)
    for earlier in ("about", "history", "complaints", "red_flags", "questionnaires"):
        if earlier == step:
            break
        intake = _save(intake, earlier, data[earlier]).intake
    return intake


@pytest.fixture
def practitioner_with_email():
    return make_practitioner(
        make_location(), user=make_user(Role.PRACTITIONER, email="anna@clinic.test")
    )


# Consent ------------------------------------------------------------------------------------


def test_intake_without_consent_cannot_be_completed():
    intake = _draft_up_to("consent")
    _save(intake, "consent", {"consent": False})

    with pytest.raises(IntakeIncomplete) as error:
        complete_intake(intake.pk)

    intake.refresh_from_db()
    assert error.value.step == "consent" and "Consent" in error.value.message
    assert intake.status == Intake.Status.DRAFT and intake.completed_at is None
    assert not QuestionnaireResponse.objects.filter(intake=intake).exists()


def test_saving_the_last_step_without_consent_keeps_it_a_draft_and_asks_for_consent():
    intake = _draft_up_to("consent")

    outcome = _save(intake, "consent", {"consent": False})

    intake.refresh_from_db()
    assert not outcome.completed
    assert outcome.next_step == "consent" and "Consent" in outcome.problem
    assert intake.status == Intake.Status.DRAFT and "consent" in intake.steps_done
    assert not AccessLog.objects.filter(action=Action.INTAKE_COMPLETE).exists()


def test_consent_left_unticked_on_the_page_is_refused_and_nothing_is_sent(client):
    intake = _draft_up_to("consent")

    response = client.post(reverse("intake:step", args=[intake_token(intake), "consent"]), {})

    intake.refresh_from_db()
    assert response.status_code == 400
    assert "Tick the box to give consent" in response.content.decode()
    assert intake.status == Intake.Status.DRAFT and not intake.consent_to_care
    assert not QuestionnaireResponse.objects.filter(intake=intake).exists()


def test_last_step_saved_with_an_earlier_step_missing_keeps_the_answer_and_names_the_gap():
    intake = make_intake()
    data = intake_sections()
    for step in ("about", "history", "complaints"):
        intake = _save(intake, step, data[step]).intake

    outcome = _save(intake, "consent", data["consent"])

    intake.refresh_from_db()
    assert (outcome.completed, outcome.next_step) == (False, "red_flags")
    assert intake.consent_to_care and intake.status == Intake.Status.DRAFT


# What the service refuses ------------------------------------------------------------------


def test_a_step_the_intake_does_not_ask_is_refused_and_nothing_is_stored():
    intake = make_intake()

    with pytest.raises(IntakeError):
        _save(intake, "billing", {"anything": 1})

    intake.refresh_from_db()
    assert intake.steps_done == []
    assert not AccessLog.objects.filter(patient=intake.patient).exists()


def test_safety_questions_before_any_complaint_are_refused():
    intake = make_intake()

    with pytest.raises(IntakeIncomplete) as error:
        _save(intake, "red_flags", CAUDA_EQUINA)

    intake.refresh_from_db()
    assert error.value.step == "complaints"
    assert intake.red_flag_answers == {} and not RedFlagFinding.objects.exists()


# Audit rows per channel --------------------------------------------------------------------


def test_each_saved_step_and_the_completion_are_logged_with_channel_and_address():
    front_desk = make_user(Role.FRONT_DESK)
    intake = make_intake()
    data = intake_sections()
    for step in ("about", "history", "complaints"):
        intake = _save(intake, step, data[step], client_ip="192.0.2.7").intake
    for step in applicable_steps(intake)[3:]:
        outcome = save_step(
            intake, step, data[step], actor=front_desk, channel=Channel.STAFF, client_ip=None
        )

    rows = list(AccessLog.objects.filter(patient=intake.patient).order_by("id"))
    assert outcome.completed
    assert [(r.action, r.user_id) for r in rows] == [
        *[(Action.INTAKE_STEP, None)] * 3,
        *[(Action.INTAKE_STEP, front_desk.pk)] * 3,
        (Action.INTAKE_COMPLETE, front_desk.pk),
    ]
    assert rows[0].detail == f"intake {intake.pk} about (link)"
    assert rows[0].ip_address == "192.0.2.7"
    assert rows[-1].detail == f"intake {intake.pk} (staff)"


def test_a_step_answered_on_the_tablet_is_logged_as_the_tablet(client):
    intake = make_intake()
    client.force_login(make_user(Role.FRONT_DESK))
    client.post(reverse("intake:start_kiosk", args=[intake.patient.pk]))

    client.post(reverse("intake:kiosk_step", args=["about"]), intake_sections()["about"])

    row = AccessLog.objects.get(patient=intake.patient, action=Action.INTAKE_STEP)
    assert row.user is None and row.detail == f"intake {intake.pk} about (kiosk)"
    assert row.ip_address == "127.0.0.1"


# All or nothing ----------------------------------------------------------------------------


def test_a_refused_audit_row_leaves_nothing_of_the_step():
    intake = make_intake()
    refuse_inserts("audit_accesslog", "NEW.action = 'intake_step'")

    with pytest.raises(DatabaseError):
        _save(intake, "about", intake_sections()["about"])

    intake.refresh_from_db()
    assert intake.demographics == {} and intake.steps_done == []


def test_a_refused_audit_row_leaves_no_urgent_flag_and_no_alert(practitioner_with_email):
    intake = _draft_up_to("red_flags")
    refuse_inserts("audit_accesslog", "NEW.action = 'intake_step'")

    with pytest.raises(DatabaseError):
        _save(intake, "red_flags", intake_sections(red_flags=CAUDA_EQUINA)["red_flags"])

    intake.refresh_from_db()
    assert intake.red_flag_answers == {} and "red_flags" not in intake.steps_done
    assert not RedFlagFinding.objects.exists()
    assert not Message.objects.filter(kind="urgent_red_flag").exists()


def test_a_refused_red_flag_leaves_nothing_of_the_safety_step(practitioner_with_email):
    intake = _draft_up_to("red_flags")
    refuse_inserts("intake_redflagfinding")

    with pytest.raises(DatabaseError):
        _save(intake, "red_flags", intake_sections(red_flags=CAUDA_EQUINA)["red_flags"])

    intake.refresh_from_db()
    assert intake.red_flag_answers == {} and "red_flags" not in intake.steps_done
    assert not AccessLog.objects.filter(action=Action.INTAKE_STEP, detail__contains="red_flags")
    assert not Message.objects.filter(kind="urgent_red_flag").exists()


def test_a_refused_completion_row_leaves_the_last_step_and_the_completion_unsaved():
    intake = _draft_up_to("consent", red_flags={"any_weight_loss": "yes"}, pregnancy_weeks=20)
    refuse_inserts("audit_accesslog", "NEW.action = 'intake_complete'")

    with pytest.raises(DatabaseError):
        _save(intake, "consent", intake_sections()["consent"])

    intake.refresh_from_db()
    assert intake.status == Intake.Status.DRAFT and not intake.consent_to_care
    assert "consent" not in intake.steps_done
    assert not QuestionnaireResponse.objects.exists()
    assert not PrecautionRecord.objects.exists()
    assert not RedFlagFinding.objects.exists()
    assert not AccessLog.objects.filter(action=Action.INTAKE_STEP, detail__contains="consent")
