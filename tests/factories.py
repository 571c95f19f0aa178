"""Factories for tests: plain functions that create real rows with sensible defaults."""

import datetime as dt
import itertools

from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    WeeklyHours,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(role: str = Role.PATIENT, username: str | None = None, **extra) -> User:
    n = next(_seq)
    names = {"first_name": "Test", "last_name": f"User{n}"}
    user = User(username=username or f"user{n}", role=role, **{**names, **extra})
    user.set_password(PASSWORD)
    user.save()
    return user


def make_location(**extra) -> Location:
    defaults = {"name": f"Clinic {next(_seq)}", "time_zone": "Europe/London"}
    return Location.objects.create(**{**defaults, **extra})


def make_practitioner(location: Location | None = None, **extra) -> Practitioner:
    user = extra.pop("user", None) or make_user(Role.PRACTITIONER)
    practitioner = Practitioner.objects.create(
        user=user, display_name=extra.pop("display_name", f"Dr. {user.last_name}"), **extra
    )
    if location:
        practitioner.locations.add(location)
    return practitioner


def make_weekly_hours(practitioner, location, weekday, start="09:00", end="17:00") -> WeeklyHours:
    return WeeklyHours.objects.create(
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end),
    )


def make_appointment_type(practitioners=(), **extra) -> AppointmentType:
    defaults = {"name": f"Visit {next(_seq)}", "duration_minutes": 20, "buffer_minutes": 10}
    kind = AppointmentType.objects.create(**{**defaults, **extra})
    kind.practitioners.add(*practitioners)
    return kind


def make_patient(**extra) -> Patient:
    n = next(_seq)
    defaults = {
        "first_name": "Pat",
        "last_name": f"Ient{n}",
        "date_of_birth": dt.date(1980, 1, 1),
        "email": f"pat{n}@example.com",
    }
    return Patient.objects.create(**{**defaults, **extra})


def make_appointment(
    practitioner, start: dt.datetime, patient=None, kind=None, location=None, **extra
) -> Appointment:
    location = location or practitioner.locations.first() or make_location()
    kind = kind or make_appointment_type([practitioner])
    return Appointment.objects.create(
        practitioner=practitioner,
        patient=patient or make_patient(),
        location=location,
        appointment_type=kind,
        start=start,
        end=start + dt.timedelta(minutes=kind.duration_minutes),
        **extra,
    )


def today_at(location, hour: int) -> dt.datetime:
    """``hour`` o'clock of today in the location's time zone (on its day list whatever the
    time of day the test runs)."""
    today = timezone.now().astimezone(location.tz).date()
    return dt.datetime.combine(today, dt.time(hour, 0), tzinfo=location.tz)


def make_open_practitioner(location, start="09:00", end="17:00", **extra) -> Practitioner:
    """A practitioner at the location with the same hours every day of the week."""
    practitioner = make_practitioner(location, **extra)
    for weekday in range(7):
        make_weekly_hours(practitioner, location, weekday, start, end)
    return practitioner


# Charting ------------------------------------------------------------------------------------


def exam_state(*indicators, short_leg=None, recheck=None, cmrt=(), cranial=()) -> dict:
    """An exam screen document: ``exam_state(("arm_fossa_test", "left"), recheck={...})``."""
    findings = {"indicators": [{"code": code, "side": side} for code, side in indicators]}
    if short_leg:
        findings["leg_length"] = {"prone_short_side": short_leg, "difference_mm": 5}
    return {
        "findings": findings,
        "recheck": dict(recheck or {}),
        "cmrt": list(cmrt),
        "cranial": list(cranial),
    }


def make_visit(practitioner=None, patient=None, appointment=None, started_at=None):
    """A visit with an empty draft note, started through the charting service."""
    from sotclinic.charting.services import start_visit

    if appointment is not None:
        return start_visit(appointment.practitioner.user, appointment=appointment)
    practitioner = practitioner or make_practitioner(make_location())
    visit = start_visit(practitioner.user, patient=patient or make_patient())
    if started_at is not None:
        type(visit).objects.filter(pk=visit.pk).update(started_at=started_at)
        visit.refresh_from_db()
    return visit


def save_note(visit, **content):
    """Save the visit's draft with the given DraftContent fields, as its practitioner."""
    from sotclinic.charting.services import DraftContent, save_draft

    note = type(visit.note).objects.get(pk=visit.note.pk)
    return save_draft(note.pk, visit.practitioner.user, note.version, DraftContent(**content))


def sign_visit(visit, **content):
    """Save the given content, then sign the note as the visit's practitioner.

    With an exam and no category given, the practitioner confirms the engine's suggestion.
    """
    from sotclinic.charting.services import exam_summary, sign_note

    if content.get("exam_state") and "confirmed_category" not in content:
        _, category, side, _ = exam_summary(content["exam_state"])
        content.update(confirmed_category=category, confirmed_side=side)
    note = save_note(visit, **content)
    return sign_note(note.pk, visit.practitioner.user, note.version)


def make_visit_history(practitioner, patient, count: int, signed: bool = True) -> list:
    """``count`` past visits with notes, exams and procedures, created in bulk."""
    import datetime as dt

    from django.utils import timezone

    from sotclinic.charting.models import ExamRecord, Note, Procedures, Visit
    from sotclinic.charting.services import exam_summary

    now = timezone.now()
    state = exam_state(("arm_fossa_test", "left"), recheck={"arm_fossa_test": "cleared"})
    suggestion, category, side, cleared = exam_summary(state)
    visits = Visit.objects.bulk_create(
        Visit(
            patient=patient,
            practitioner=practitioner,
            started_at=now - dt.timedelta(days=3 * (count - i)),
            created_by=practitioner.user,
            # What ExamRecord.save() would set; bulk_create goes round it.
            has_findings=suggestion is not None,
        )
        for i in range(count)
    )
    notes = Note.objects.bulk_create(
        Note(
            visit=visit,
            complaints="Low back pain",
            pain_score=max(0, 8 - i * 8 // count),
            updated_by=practitioner.user,
        )
        for i, visit in enumerate(visits)
    )
    ExamRecord.objects.bulk_create(
        ExamRecord(
            note=note,
            state=state,
            suggestion=suggestion,
            suggested_category=category,
            suggested_side=side,
            cleared_indicators=cleared,
            confirmed_category="II",
            confirmed_side="left",
        )
        for note in notes
    )
    Procedures.objects.bulk_create(
        Procedures(note=note, blocking_category="II", adjustment_regions=["lumbar", "pelvic"])
        for note in notes
    )
    if signed:  # parts first: a signed note takes no new parts
        Note.objects.filter(pk__in=[n.pk for n in notes]).update(
            signed_at=now, signed_by=practitioner.user
        )
    return visits


# Intake and outcomes -------------------------------------------------------------------------


#: One night of the sleep diary: 22:30 into bed, 23:00 trying, 30 min to fall asleep, two
#: awakenings of 40 min in all, awake for good at 06:00, up at 06:30 (efficiency 72.9 %).
SLEEP_NIGHT = {
    "sd_into_bed": "22:30",
    "sd_tried_to_sleep": "23:00",
    "sd_onset_minutes": 30,
    "sd_awakenings": 2,
    "sd_awake_minutes": 40,
    "sd_final_awakening": "06:00",
    "sd_out_of_bed": "06:30",
}


def intake_sections(
    complaints=("low_back",),
    red_flags=None,
    rmdq_ticks=10,
    nprs=6,
    dob="1985-03-01",
    recall_period=None,
    pregnancy_weeks=None,
    precautions=(),
):
    """The six saved sections of an intake, as the forms produce them.

    ``pregnancy_weeks`` answers the pregnancy question yes with those weeks; ``precautions``
    names the other precautions answered yes (e.g. ``("anticoagulants",)``).
    """
    from sotclinic.intake.redflags import questions_for
    from sotclinic.intake.steps import instruments_for

    # The history step answers the pregnancy question; the safety step does not ask it.
    answers = {q.id: "no" for q in questions_for(complaints) if q.id != "hd_pregnant"}
    answers.update(red_flags or {})
    questionnaires = {}
    for instrument in instruments_for(complaints):
        if instrument.id == "rmdq":
            values = {item.id: i < rmdq_ticks for i, item in enumerate(instrument.items)}
        elif instrument.id == "sleep_diary":
            values = dict(SLEEP_NIGHT)
        else:
            values = {instrument.items[0].id: nprs}
        questionnaires[instrument.id] = {"version": instrument.version, "answers": values}
        if instrument.recall_periods:
            questionnaires[instrument.id]["recall_period"] = (
                recall_period or instrument.default_recall_period
            )
    return {
        "about": {
            "first_name": "Pat",
            "last_name": "Ient",
            "date_of_birth": dob,
            "email": "pat@example.com",
            "phone": "",
            "address": "",
        },
        "history": {
            "conditions": "none",
            "surgeries": "none",
            "medications": "none",
            "allergies": "",
            "pregnant": "yes" if pregnancy_weeks else "no",
            **({"pregnancy_weeks": pregnancy_weeks} if pregnancy_weeks else {}),
            **{
                code: "yes" if code in precautions else "no"
                for code in ("postpartum", "anticoagulants", "osteoporosis_steroids")
                + ("connective_tissue",)
            },
        },
        "complaints": {
            "complaints": list(complaints),
            "details": {
                c: {"onset": "under_6_weeks", "severity": 6, "notes": ""} for c in complaints
            },
        },
        "red_flags": answers,
        "questionnaires": questionnaires,
        "consent": {"consent": True},
    }


def make_intake(patient=None, **extra):
    from sotclinic.intake.models import Intake

    return Intake.objects.create(patient=patient or make_patient(), **extra)


def make_complete_intake(patient=None, completed_at=None, **sections):
    """A completed intake, filled in through the services like a patient would."""
    from sotclinic.intake.services import Channel, save_step
    from sotclinic.intake.steps import applicable_steps

    intake = make_intake(patient)
    data = intake_sections(**sections)
    for step in ("about", "history", "complaints"):
        intake = save_step(intake, step, data[step], actor=None, channel=Channel.LINK).intake
    for step in applicable_steps(intake)[3:]:
        outcome = save_step(
            intake, step, data[step], actor=None, channel=Channel.LINK, now=completed_at
        )
    assert outcome.completed, outcome.problem
    return outcome.intake


def make_follow_up_response(
    patient, instrument_id, score_value, administered_at, sequence=1, recall_period=None
):
    """A scored follow-up response (RMDQ: ``score_value`` items ticked; NPRS: the rating),
    asked over ``recall_period`` (the instrument's default if None)."""
    from sotclinic.intake.instruments import get_instrument
    from sotclinic.intake.models import FollowUpRequest, Intake, QuestionnaireResponse

    instrument = get_instrument(instrument_id)
    if instrument_id == "rmdq":
        answers = {item.id: i < score_value for i, item in enumerate(instrument.items)}
    else:
        answers = {instrument.items[0].id: score_value}
    baseline = Intake.objects.filter(patient=patient, status="complete").latest("completed_at")
    request, _ = FollowUpRequest.objects.get_or_create(
        patient=patient, sequence=sequence, defaults={"baseline_intake": baseline}
    )
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument_id=instrument_id,
        instrument_version=instrument.version,
        answers=answers,
        score=float(score_value),
        administered_at=administered_at,
        context="follow_up",
        follow_up=request,
        recall_period=instrument.default_recall_period if recall_period is None else recall_period,
    )
