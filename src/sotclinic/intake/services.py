"""Every write of the intake: saving a step, completing an intake, handling a red flag,
starting a kiosk session, and sending and answering follow-up questionnaires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access
from sotclinic.data_text import source_text
from sotclinic.errors import DomainError
from sotclinic.messaging.services import queue_email
from sotclinic.patients.models import Patient
from sotclinic.scheduling.clinic_locales import written_for
from sotclinic.scheduling.notifications import channels_for, clinic_name, notify_patient

from .instruments import ScoringError, get_instrument, score
from .models import (
    FollowUpRequest,
    Intake,
    PrecautionAcknowledgement,
    PrecautionRecord,
    QuestionnaireResponse,
    RedFlagFinding,
)
from .precautions import MAX_PREGNANCY_WEEKS, default_precautions, red_flag_answers_from_history
from .redflags import RedFlagError, questions_for, screen
from .redflags.table import default_table
from .selectors import visit_on_same_day
from .steps import COMPLAINT_STEPS, STEP_TITLES, applicable_steps, instruments_for

INTAKE_SALT = "sotclinic.intake.link"
FOLLOW_UP_SALT = "sotclinic.intake.follow-up"
INTAKE_LINK_MAX_AGE = dt.timedelta(days=60)
FOLLOW_UP_LINK_MAX_AGE = dt.timedelta(days=30)
URGENT = "urgent"


class IntakeError(DomainError):
    """A problem a person can act on; ``message`` says what to do, ``step`` (the field at
    fault) names the step to go back to where there is one."""

    status_code = 400

    def __init__(self, message: str | None = None, step: str | None = None) -> None:
        super().__init__(message, field=step)

    @property
    def step(self) -> str | None:
        return self.field


class BadIntakeLink(IntakeError):
    message = gettext_lazy(
        "This link is not valid or has expired. Ask the clinic to send you a new one."
    )
    status_code = 404


class IntakeClosed(IntakeError):
    status_code = 409


class IntakeIncomplete(IntakeError):
    status_code = 400


class HandlingInvalid(IntakeError):
    status_code = 400


class Channel(StrEnum):
    """Where a step was answered: the patient's signed link, the clinic's tablet, or a staff
    member entering it. The audit row names it, since the first two have no user."""

    LINK = "link"
    KIOSK = "kiosk"
    STAFF = "staff"


# Signed links ------------------------------------------------------------------------------


def intake_token(intake: Intake) -> str:
    return signing.dumps({"i": intake.pk, "n": intake.nonce}, salt=INTAKE_SALT, compress=True)


def intake_for_token(token: str) -> Intake:
    """The intake a link points to; BadIntakeLink when tampered with, expired or revoked."""
    try:
        data = signing.loads(token, salt=INTAKE_SALT, max_age=INTAKE_LINK_MAX_AGE)
        intake = Intake.objects.select_related("patient").get(pk=data["i"])
    except (signing.BadSignature, Intake.DoesNotExist, KeyError, TypeError) as exc:
        raise BadIntakeLink() from exc
    if intake.nonce != data.get("n"):
        raise BadIntakeLink()
    return intake


def follow_up_token(request: FollowUpRequest) -> str:
    return signing.dumps({"f": request.pk, "n": request.nonce}, salt=FOLLOW_UP_SALT, compress=True)


def follow_up_for_token(token: str) -> FollowUpRequest:
    try:
        data = signing.loads(token, salt=FOLLOW_UP_SALT, max_age=FOLLOW_UP_LINK_MAX_AGE)
        request = FollowUpRequest.objects.select_related("patient", "baseline_intake").get(
            pk=data["f"]
        )
    except (signing.BadSignature, FollowUpRequest.DoesNotExist, KeyError, TypeError) as exc:
        raise BadIntakeLink() from exc
    if request.nonce != data.get("n"):
        raise BadIntakeLink()
    return request


@dataclass(frozen=True)
class DueQuestionnaire:
    title: str
    path: str


def due_questionnaires(patient: Patient, now: dt.datetime | None = None) -> list[DueQuestionnaire]:
    """What the patient has been asked to fill in and has not sent yet, each with its signed
    link: an intake begun for them, and follow-up questionnaires sent to them whose link is
    still good. Reads only (nothing is created for the patient here)."""
    now = now or timezone.now()
    due = [
        DueQuestionnaire(
            _("Health questionnaire before your visit"),
            reverse("intake:fill", args=[intake_token(intake)]),
        )
        for intake in Intake.objects.filter(
            patient=patient, status=Intake.Status.DRAFT, channel=Intake.Channel.LINK
        ).order_by("started_at")
    ]
    follow_ups = FollowUpRequest.objects.filter(
        patient=patient,
        sent_at__isnull=False,
        completed_at__isnull=True,
        sent_at__gt=now - FOLLOW_UP_LINK_MAX_AGE,
    ).order_by("sequence")
    due.extend(
        DueQuestionnaire(
            _("Follow-up questionnaire"), reverse("intake:follow_up", args=[follow_up_token(f)])
        )
        for f in follow_ups
    )
    return due


# No savepoint: nothing here catches an error, so inside the caller's transaction (a booking)
# one would only cost two statements; outside one, this is the transaction.
@transaction.atomic(savepoint=False)
def intake_for_appointment(appointment) -> Intake:
    """The patient's open intake (creating one for this appointment if there is none)."""
    existing = (
        Intake.objects.select_for_update()
        .filter(patient_id=appointment.patient_id, status=Intake.Status.DRAFT)
        .first()
    )
    return _open_or_new(existing, appointment)


def _open_or_new(draft: Intake | None, appointment) -> Intake:
    """The patient's open intake, or a new one for this appointment when there is none: one
    open intake per patient, whichever page or message asks for it."""
    if draft is not None:
        return draft
    return Intake.objects.create(patient_id=appointment.patient_id, appointment=appointment)


def _completed_or_draft(patient_id: int) -> Intake | None:
    """The patient's completed intake if any, else their open draft (locked, as
    `intake_for_appointment` reads it). One read answers both questions: a booking's
    confirmation asks inside its transaction."""
    return (
        Intake.objects.select_for_update()
        .filter(patient_id=patient_id, status__in=(Intake.Status.COMPLETE, Intake.Status.DRAFT))
        .order_by(
            Case(When(status=Intake.Status.COMPLETE, then=Value(0)), default=Value(1)),
            *Intake._meta.ordering,
        )
        .first()
    )


@transaction.atomic(savepoint=False)
def intake_link_for(appointment) -> str | None:
    """The absolute path of the signed intake link for an appointment's patient, or None when
    the patient has already completed an intake (there is nothing left for them to fill in)."""
    first = _completed_or_draft(appointment.patient_id)
    if first is not None and first.status == Intake.Status.COMPLETE:
        return None
    return reverse("intake:fill", args=[intake_token(_open_or_new(first, appointment))])


@transaction.atomic
def start_kiosk_intake(patient: Patient, staff_user, client_ip: str | None = None) -> Intake:
    """Open an intake for a patient on the clinic's tablet, started by a staff member: the
    patient's open draft, or a new one. Logged against the staff member."""
    intake = (
        Intake.objects.select_for_update()
        .filter(patient=patient, status=Intake.Status.DRAFT)
        .first()
    )
    if intake is None:
        intake = Intake.objects.create(
            patient=patient, channel=Intake.Channel.KIOSK, started_by=staff_user
        )
    record_access(
        staff_user, patient, Action.INTAKE_KIOSK_START, f"intake {intake.pk}", address=client_ip
    )
    return intake


# Filling in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOutcome:
    """What saving a step did: the intake as saved, whether it is now complete, and the step to
    show next (the one still missing when the last step could not complete the intake, with
    ``problem`` saying why)."""

    intake: Intake
    completed: bool
    next_step: str | None
    problem: str | None = None


@transaction.atomic
def save_step(
    intake: Intake,
    step: str,
    cleaned_answers: Mapping,
    *,
    actor,
    channel: Channel,
    client_ip: str | None = None,
    now: dt.datetime | None = None,
) -> StepOutcome:
    """Save one step's answers (already checked by its form), and complete the intake when
    it is the last step; one transaction with the audit rows.

    Saving the safety questions raises their urgent red flags at once (and alerts the
    clinic). If the last step is saved while the intake cannot be completed yet (an earlier
    step missing, no consent), the step stays saved and the outcome names the step to go back
    to. ``actor`` is the staff user entering answers, or None for the patient. Raises
    IntakeClosed for a completed intake, IntakeError for a step this intake does not ask.
    """
    locked = Intake.objects.select_for_update().select_related("patient").get(pk=intake.pk)
    _store_step(locked, step, cleaned_answers)
    record_access(
        actor,
        locked.patient,
        Action.INTAKE_STEP,
        f"intake {locked.pk} {step} ({channel})",
        address=client_ip,
    )
    steps = applicable_steps(locked)
    if step != steps[-1]:
        return StepOutcome(locked, completed=False, next_step=steps[steps.index(step) + 1])
    try:
        # A savepoint: a refused completion leaves the step saved, as the patient answered it.
        with transaction.atomic():
            completed = complete_intake(locked.pk, now=now)
            record_access(
                actor,
                locked.patient,
                Action.INTAKE_COMPLETE,
                f"intake {locked.pk} ({channel})",
                address=client_ip,
            )
    except IntakeIncomplete as exc:
        return StepOutcome(
            locked, completed=False, next_step=exc.step or steps[0], problem=exc.message
        )
    return StepOutcome(completed, completed=True, next_step=None)


def _store_step(intake: Intake, step: str, section: Mapping) -> None:
    """Put one step's answers on the (locked) intake and save it."""
    if intake.is_complete:
        raise IntakeClosed(_("This intake has been sent to the clinic and can no longer change."))
    if step not in applicable_steps(intake):
        raise IntakeError(_("This intake does not ask the step %(step)s.") % {"step": repr(step)})
    if step in COMPLAINT_STEPS and not intake.complaints:
        raise IntakeIncomplete(_("First tell us what brings you in."), step="complaints")
    if step == "about":
        intake.demographics = dict(section)
    elif step == "history":
        intake.health_history = dict(section)
    elif step == "complaints":
        intake.complaints = list(section["complaints"])
        intake.complaint_details = dict(section["details"])
        # Answers for complaints no longer chosen would no longer be asked: drop them, and
        # ask the dependent steps again.
        asked = {q.id for q in questions_for(intake.complaints)}
        intake.red_flag_answers = {k: v for k, v in intake.red_flag_answers.items() if k in asked}
        wanted = {i.id for i in instruments_for(intake.complaints)}
        intake.questionnaire_answers = {
            k: v for k, v in intake.questionnaire_answers.items() if k in wanted
        }
        intake.steps_done = [s for s in intake.steps_done if s not in COMPLAINT_STEPS]
    elif step == "red_flags":
        intake.red_flag_answers = dict(section)
    elif step == "questionnaires":
        intake.questionnaire_answers = dict(section)
    elif step == "consent":
        intake.consent_to_care = bool(section.get("consent"))
        intake.consent_at = timezone.now() if intake.consent_to_care else None
    if step not in intake.steps_done:
        intake.steps_done = [*intake.steps_done, step]
    intake.save()
    if step == "red_flags":
        _raise_urgent_flags(intake)


def _age(date_of_birth: str, on: dt.date) -> int | None:
    try:
        born = dt.date.fromisoformat(date_of_birth)
    except (TypeError, ValueError):
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@transaction.atomic
def complete_intake(intake_id: int, now: dt.datetime | None = None) -> Intake:
    """Turn a draft into a complete intake: score the baseline questionnaires, run the red-flag
    screen and raise a finding per positive rule, in one transaction.

    Raises IntakeIncomplete naming the first step still missing, IntakeClosed if already done.
    """
    now = now or timezone.now()
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if intake.is_complete:
        raise IntakeClosed(_("This intake has already been sent to the clinic."))
    for step in applicable_steps(intake):
        if step not in intake.steps_done:
            raise IntakeIncomplete(
                _("Please complete the step “%(step)s” first.") % {"step": STEP_TITLES[step]},
                step=step,
            )
    if not intake.consent_to_care:
        raise IntakeIncomplete(_("Consent to care is needed before the intake is sent."), "consent")

    instruments = instruments_for(intake.complaints)
    responses = []
    for instrument in instruments:
        entry = intake.questionnaire_answers.get(instrument.id)
        if entry is None:
            raise IntakeIncomplete(
                _("Please answer the %(short_title)s.") % {"short_title": instrument.short_title},
                step="questionnaires",
            )
        answered = get_instrument(instrument.id, entry["version"])
        try:
            response = scored_response(
                answered,
                entry["answers"],
                recall_period=entry.get("recall_period", ""),
                patient=intake.patient,
                administered_at=now,
                context=QuestionnaireResponse.Context.BASELINE,
                intake=intake,
            )
        except ScoringError as exc:
            raise IntakeIncomplete(str(exc), step="questionnaires") from exc
        responses.append(response)
    QuestionnaireResponse.objects.bulk_create(responses)

    age = _age(intake.demographics.get("date_of_birth", ""), now.date())
    try:
        result = screen(_screened_answers(intake), age, intake.complaints)
    except RedFlagError as exc:
        raise IntakeIncomplete(str(exc), step="red_flags") from exc
    _raise_flags(intake, result.flags, now)
    _record_intake_precautions(intake, now)
    intake.screen_result = result.as_dict()
    intake.status = Intake.Status.COMPLETE
    intake.completed_at = now
    intake.save()
    return intake


def _screened_answers(intake: Intake) -> dict:
    """The red-flag answers with those the history step gives (pregnancy), asked only there."""
    asked = {q.id for q in questions_for(intake.complaints)}
    derived = red_flag_answers_from_history(intake.health_history)
    return {**intake.red_flag_answers, **{k: v for k, v in derived.items() if k in asked}}


# Precautions -------------------------------------------------------------------------------


class PrecautionInvalid(IntakeError):
    status_code = 400


def _record_intake_precautions(intake: Intake, now: dt.datetime) -> None:
    history = intake.health_history
    rows = []
    for code in default_precautions():
        answer = history.get("pregnant" if code == "pregnancy" else code)
        if answer is None:
            continue  # an intake saved before the question existed
        rows.append(
            PrecautionRecord(
                patient=intake.patient,
                code=code,
                present=answer == "yes",
                weeks=history.get("pregnancy_weeks") if code == "pregnancy" else None,
                origin=PrecautionRecord.Origin.INTAKE,
                intake=intake,
                recorded_at=now,
            )
        )
    PrecautionRecord.objects.bulk_create(rows)


@transaction.atomic
def record_precaution(
    patient_id: int, code: str, user, *, present: bool = True, weeks=None, visit_id=None
) -> PrecautionRecord:
    """Record or update a precaution for a patient (e.g. pregnancy weeks moved on), at a visit.

    Adds a row; the latest per code is in force. Only practitioners record precautions, which
    are clinical. Raises PrecautionInvalid for an unknown code or impossible weeks.
    """
    if not getattr(user, "is_practitioner", False):
        raise PrecautionInvalid(_("Only a practitioner can record a precaution."))
    table = default_precautions()
    if code not in table:
        raise PrecautionInvalid(_("Choose one of the listed precautions."))
    if weeks in ("", None):
        weeks = None
    elif not table[code].asks_weeks:
        raise PrecautionInvalid(
            _("Weeks are not asked for “%(label)s”.") % {"label": table[code].label}
        )
    else:
        try:
            weeks = int(weeks)
        except (TypeError, ValueError):
            weeks = 0
        if not 1 <= weeks <= MAX_PREGNANCY_WEEKS:
            raise PrecautionInvalid(
                _("Give the weeks as a number from 1 to %(max_pregnancy_weeks)s.")
                % {"max_pregnancy_weeks": MAX_PREGNANCY_WEEKS}
            )
    if table[code].asks_weeks and present and weeks is None:
        raise PrecautionInvalid(_("Give the weeks of pregnancy (your best estimate)."))
    return PrecautionRecord.objects.create(
        patient_id=patient_id,
        code=code,
        present=present,
        weeks=weeks if present else None,
        origin=PrecautionRecord.Origin.VISIT,
        visit_id=visit_id,
        recorded_by=user,
    )


@transaction.atomic
def acknowledge_precaution(precaution_id: int, visit_id: int, user) -> PrecautionAcknowledgement:
    """Record that a practitioner has seen a precaution at this visit; it then leaves the
    visit's banner. A second acknowledgement of the same precaution at the same visit is
    refused, so the first who-and-when stands."""
    if not getattr(user, "is_practitioner", False):
        raise PrecautionInvalid(_("Only a practitioner can acknowledge a precaution."))
    record = PrecautionRecord.objects.select_for_update().filter(pk=precaution_id).first()
    if record is None or not record.present:
        raise PrecautionInvalid(_("This precaution is not on the patient's record."))
    if not record.patient.visits.filter(pk=visit_id).exists():
        raise PrecautionInvalid(_("This precaution belongs to another patient."))
    if PrecautionAcknowledgement.objects.filter(precaution=record, visit_id=visit_id).exists():
        raise PrecautionInvalid(_("This precaution has already been acknowledged at this visit."))
    return PrecautionAcknowledgement.objects.create(
        precaution=record, visit_id=visit_id, acknowledged_by=user
    )


# Red flags ---------------------------------------------------------------------------------


def _raise_flags(intake: Intake, flags, now: dt.datetime) -> list[RedFlagFinding]:
    """Store a finding per flag not yet raised for this intake; alert the clinic at once to
    any new urgent one. Runs inside the caller's transaction, so the alert is queued only
    if the findings are stored."""
    raised = set(RedFlagFinding.objects.filter(intake=intake).values_list("rule_id", flat=True))
    findings = RedFlagFinding.objects.bulk_create(
        RedFlagFinding(
            patient=intake.patient,
            intake=intake,
            rule_id=flag.rule_id,
            # The record keeps the English source wording; pages show it in their language.
            title=source_text(flag.title),
            severity=flag.severity.id,
            severity_label=source_text(flag.severity.label),
            action=source_text(flag.severity.action),
            explanation=source_text(flag.explanation),
            source="\n".join(f"{s.citation} {s.url}" for s in flag.sources),
            raised_at=now,
        )
        for flag in flags
        if flag.rule_id not in raised
    )
    if any(finding.severity == URGENT for finding in findings):
        _alert_practitioners(intake.patient)
    return findings


def raise_examination_flag(
    patient: Patient,
    *,
    rule_id: str,
    title: str,
    severity: str,
    explanation: str,
    sources: list[Mapping[str, str]],
    now: dt.datetime | None = None,
) -> RedFlagFinding | None:
    """Raise a red flag found at examination rather than answered at intake.

    It is stored and shown like an intake flag (on every screen of the patient's visits until a
    practitioner records the handling), with no intake. A flag with the same ``rule_id`` that is
    still open is not raised twice; returns the new finding, or None when one was open already.
    Runs in the caller's transaction.
    """
    known = default_table().severities[severity]
    if RedFlagFinding.objects.filter(
        patient=patient, rule_id=rule_id, handled_at__isnull=True
    ).exists():
        return None
    finding = RedFlagFinding.objects.create(
        patient=patient,
        intake=None,
        rule_id=rule_id,
        title=source_text(title),
        severity=known.id,
        severity_label=source_text(known.label),
        action=source_text(known.action),
        explanation=source_text(explanation),
        source="\n".join(f"{s['citation']} {s['url']}" for s in sources),
        raised_at=now or timezone.now(),
    )
    if known.id == URGENT:
        _alert_practitioners(patient)
    return finding


def _raise_urgent_flags(intake: Intake) -> None:
    """Screen the red-flag answers as soon as they are saved and raise the urgent flags then,
    not when the intake is sent: the patient is told what to do now and the clinic is
    alerted even if the rest of the intake is never finished."""
    age = _age(intake.demographics.get("date_of_birth", ""), timezone.localdate())
    try:
        result = screen(_screened_answers(intake), age, intake.complaints)
    except RedFlagError:
        return  # completing the intake names the problem
    urgent = [flag for flag in result.flags if flag.severity.id == URGENT]
    if urgent:
        _raise_flags(intake, urgent, timezone.now())


def _alert_practitioners(patient: Patient) -> None:
    """E-mail every active practitioner that an urgent red flag is open on ``patient``.

    The message names the patient and links to the red-flag page; it carries no clinical
    content, which stays behind the practitioner's log-in.
    """
    from sotclinic.scheduling.models import Practitioner

    addresses = sorted(
        {
            email
            for email in Practitioner.objects.filter(active=True).values_list(
                "user__email", flat=True
            )
            if email
        }
    )
    if not addresses:
        return
    url = f"{settings.SITE_URL}{reverse('intake:red_flags', args=[patient.pk])}"
    with written_for(None):  # to staff: in the clinic's language
        queue_email(
            to=addresses,
            subject=_("Urgent red flag on an intake"),
            body=render_to_string(
                "intake/email/urgent_red_flag.txt", {"patient": patient, "url": url}
            ),
            kind="urgent_red_flag",
        )


@transaction.atomic
def record_red_flag_handling(
    finding_id: int, user, handling: str, note: str = "", client_ip: str | None = None
) -> RedFlagFinding:
    """Record how a practitioner handled a red flag; this closes it and lifts its banner.
    Logged in the same transaction.

    "Ruled out" and "other" need a reason. Raises HandlingInvalid otherwise, and for a flag
    already handled (the first record stands).
    """
    finding = RedFlagFinding.objects.select_for_update().get(pk=finding_id)
    if not getattr(user, "is_practitioner", False):
        raise HandlingInvalid(_("Only a practitioner can record how a red flag was handled."))
    if finding.handled_at is not None:
        raise HandlingInvalid(_("This red flag has already been handled."))
    if handling not in RedFlagFinding.Handling.values:
        raise HandlingInvalid(_("Choose referred, ruled out or other."))
    note = note.strip()
    if handling in ("ruled_out", "other") and not note:
        raise HandlingInvalid(_("Give the reason: what you examined or asked, and what you found."))
    finding.handling = handling
    finding.handling_note = note
    finding.handled_by = user
    finding.handled_at = timezone.now()
    finding.save()
    record_access(
        user, finding.patient_id, Action.HANDLE_RED_FLAG, f"red flag {finding.pk}", client_ip
    )
    return finding


# Follow-ups --------------------------------------------------------------------------------


def follow_up_instruments(request: FollowUpRequest):
    return instruments_for(request.baseline_intake.complaints, follow_up=True)


def scored_response(
    instrument, answers: Mapping, recall_period: str = "", **fields
) -> QuestionnaireResponse:
    """An unsaved response that keeps the instrument version and the recall period it was
    asked with, with its score.

    An instrument with selectable periods and no period given (answers saved before the
    period was chosen) takes the instrument's default, which for NPRS v1 is the 24 hours its
    wording always asked about. Raises ``ScoringError`` (naming the item) when the answers
    cannot be scored or the period is not one the instrument offers.
    """
    if instrument.recall_periods:
        recall_period = recall_period or instrument.default_recall_period
        if recall_period not in instrument.recall_period_ids:
            raise ScoringError(
                None, f"{instrument.short_title} has no recall period {recall_period!r}"
            )
    else:
        recall_period = ""
    result = score(instrument, answers)
    return QuestionnaireResponse(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        answers=answers,
        score=result.value,
        score_detail=result.as_dict(),
        recall_period=recall_period,
        **fields,
    )


@transaction.atomic
def submit_follow_up(
    request_id: int,
    section: Mapping,
    now: dt.datetime | None = None,
    *,
    actor=None,
    client_ip: str | None = None,
):
    """Store a follow-up questionnaire's answers, scored, as follow-up responses, and log
    the answer (``actor``: None for the patient's own link) in the same transaction.

    The responses are linked to the patient's visit on the same local day, if there is one
    (``selectors.visit_on_same_day``): answered in the waiting room, they describe that visit's
    starting point. Answered on another day they describe that day, so they stay unlinked, also
    when the follow-up was sent because of the visit count.
    """
    now = now or timezone.now()
    request = FollowUpRequest.objects.select_for_update().get(pk=request_id)
    if request.completed_at is not None:
        raise IntakeClosed(_("These questionnaires have already been sent. Thank you."))
    visit = visit_on_same_day(request.patient_id, now)
    responses = []
    for instrument_id, entry in section.items():
        responses.append(
            scored_response(
                get_instrument(instrument_id, entry["version"]),
                entry["answers"],
                recall_period=entry.get("recall_period", ""),
                patient_id=request.patient_id,
                administered_at=now,
                context=QuestionnaireResponse.Context.FOLLOW_UP,
                follow_up=request,
                visit=visit,
            )
        )
    QuestionnaireResponse.objects.bulk_create(responses)
    request.completed_at = now
    request.save(update_fields=["completed_at"])
    record_access(
        actor, request.patient_id, Action.FOLLOW_UP_ANSWERED, f"follow-up {request.pk}", client_ip
    )
    return request


def send_follow_up(patient: Patient, baseline: Intake, sequence: int, base_url: str) -> bool:
    """Create follow-up request ``sequence`` and queue the message with its link, together.
    False if it already exists, or if the patient has not agreed to be contacted (then nothing
    is written, so it is due again once they agree). A failed send is retried by the outbox.
    """
    if not patient.consent_to_contact:
        return False
    try:
        with transaction.atomic():
            request = FollowUpRequest.objects.create(
                patient=patient, baseline_intake=baseline, sequence=sequence
            )
            url = f"{base_url}{reverse('intake:follow_up', args=[follow_up_token(request)])}"
            with written_for(patient):
                clinic = clinic_name()
                notify_patient(
                    patient,
                    kind="intake.follow_up",
                    subject=_("A short questionnaire from %(clinic)s") % {"clinic": clinic},
                    template="intake/email/follow_up.txt",
                    context={"patient": patient, "url": url},
                    sms_link=url,
                    needs_consent=True,
                )
            request.sent_at = timezone.now()
            request.save(update_fields=["sent_at"])
    except IntegrityError:
        return False
    return True


class NoWayToReach(IntakeError):
    status_code = 409


@transaction.atomic
def send_intake_link(appointment, *, base_url: str | None = None) -> Intake:
    """Queue the "intake requested" message with the patient's intake link, for front desk
    from the appointment page; sending it again sends a link to the same open intake.

    Raises IntakeClosed when the patient has completed an intake already, NoWayToReach
    when they have no e-mail address (nor a phone the clinic can text).
    """
    from sotclinic.scheduling.models import Appointment

    appointment = Appointment.objects.select_related("patient", "location").get(pk=appointment.pk)
    patient = appointment.patient
    if Intake.objects.filter(patient=patient, status=Intake.Status.COMPLETE).exists():
        raise IntakeClosed(_("This patient has completed an intake already."))
    if not channels_for(patient):
        raise NoWayToReach(
            _(
                "This patient has no e-mail address to send the link to; add one, or start the "
                "intake on the clinic's tablet."
            )
        )
    intake = intake_for_appointment(appointment)
    url = f"{(base_url or settings.SITE_URL).rstrip('/')}"
    url += reverse("intake:fill", args=[intake_token(intake)])
    with written_for(patient):
        notify_patient(
            patient,
            kind="intake.requested",
            subject=_("Your health questionnaire for %(clinic)s")
            % {"clinic": appointment.location.name},
            template="intake/email/intake_requested.txt",
            context={
                "patient": patient,
                "appointment": appointment,
                "local_start": appointment.start.astimezone(appointment.location.tz),
                "location": appointment.location,
                "url": url,
            },
            sms_link=url,
            location=appointment.location,
        )
    return intake
