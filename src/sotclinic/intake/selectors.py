"""Reads of intake data: open red flags, the latest intake and intakes as a practitioner
reads them. Who is due a follow-up is in ``outcomes.selectors``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.compiled_queries import CompiledQuery
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment, Location
from sotclinic.scheduling.selectors import local_day_bounds

from .models import (
    Intake,
    PrecautionAcknowledgement,
    PrecautionRecord,
    QuestionnaireResponse,
    RedFlagFinding,
)
from .precautions import Precaution, default_precautions


def open_red_flags(patient: Patient | int | OuterRef) -> QuerySet[RedFlagFinding]:
    """The patient's red flags that no practitioner has recorded the handling of yet."""
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    return RedFlagFinding.objects.filter(patient_id=patient_id, handled_at__isnull=True).order_by(
        "raised_at", "id"
    )


def with_red_flag_state(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """``patients`` with ``has_open_red_flags`` read in the same query, so that a page's
    red-flag banner (``{% open_red_flags %}``) reads the flags only for a patient who has some."""
    return patients.annotate(has_open_red_flags=Exists(open_red_flags(OuterRef("pk"))))


_WITH_RED_FLAG_STATE = CompiledQuery(
    lambda patient_id: with_red_flag_state(Patient.objects.filter(pk=patient_id))
)


def patient_with_red_flag_state(patient_id: int) -> Patient | None:
    """The patient ``with_red_flag_state``, or None: a query compiled once per process (its
    subquery costs more to put together than to run)."""
    found = _WITH_RED_FLAG_STATE.objects(patient_id)
    return found[0] if found else None


@dataclass(frozen=True)
class PatientFlags:
    """A patient with at least one open red flag, for the staff home."""

    patient: Patient
    flags: list[RedFlagFinding]

    @property
    def urgent(self) -> bool:
        return any(flag.severity == "urgent" for flag in self.flags)


# Read on every staff home page, with none open most of the time: compiled once.
_OPEN_RED_FLAGS = CompiledQuery(
    lambda: (
        RedFlagFinding.objects.filter(handled_at__isnull=True)
        .select_related("patient")
        .order_by("raised_at", "id")
    )
)


def patients_with_open_red_flags() -> list[PatientFlags]:
    """Every patient with an open red flag, those with an urgent one first, then oldest flag
    first: the list the clinic works through until each flag is handled."""
    grouped: dict[int, PatientFlags] = {}
    for finding in _OPEN_RED_FLAGS.objects():
        entry = grouped.setdefault(finding.patient_id, PatientFlags(finding.patient, []))
        entry.flags.append(finding)
    return sorted(grouped.values(), key=lambda e: (not e.urgent, e.flags[0].raised_at))


@dataclass(frozen=True)
class UrgentAdvice:
    """What a patient whose answers raised an urgent flag is told to do now."""

    texts: tuple[str, ...]
    clinic_phone: str
    emergency_number: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.texts)


def urgent_advice(intake: Intake) -> UrgentAdvice | None:
    """The advice for the patient filling ``intake``, once its answers have raised an urgent
    red flag; None otherwise."""
    from sotclinic.scheduling.models import ClinicSettings, Location

    from .redflags import default_table

    rule_ids = list(
        RedFlagFinding.objects.filter(intake=intake, severity="urgent")
        .order_by("raised_at", "id")
        .values_list("rule_id", flat=True)
    )
    if not rule_ids:
        return None
    table = default_table()
    rules = {rule.id: rule for rule in table.rules}
    # A rule with advice of its own (self-harm) replaces the general advice for its flag;
    # every other urgent flag shares the severity's advice, shown once.
    texts: list[str] = []
    for rule_id in rule_ids:
        rule = rules.get(rule_id)
        text = rule.patient_advice if rule and rule.patient_advice else None
        text = text or table.severities["urgent"].patient_advice
        if text not in texts:
            texts.append(text)
    location = intake.appointment.location if intake.appointment_id else None
    if location is None or not location.phone:
        location = Location.objects.exclude(phone="").order_by("pk").first()
    return UrgentAdvice(
        texts=tuple(texts),
        clinic_phone=location.phone if location else "",
        emergency_number=ClinicSettings.load().emergency_number,
    )


def red_flags(patient: Patient) -> QuerySet[RedFlagFinding]:
    """All the patient's red flags, open ones first."""
    return RedFlagFinding.objects.filter(patient=patient).select_related("handled_by")


def latest_complete_intake(patient: Patient) -> Intake | None:
    return (
        Intake.objects.filter(patient=patient, status=Intake.Status.COMPLETE)
        .order_by("-completed_at")
        .first()
    )


# The practitioner's view of an intake -------------------------------------------------------

_DEMOGRAPHIC_LABELS = (
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("date_of_birth", _("Date of birth")),
    ("email", _("E-mail")),
    ("phone", _("Phone")),
    ("address", _("Address")),
)
_HISTORY_LABELS = (
    ("conditions", _("Health conditions")),
    ("surgeries", _("Operations and serious injuries")),
    ("allergies", _("Allergies")),
    ("pregnant", _("Pregnant or could be")),
    ("pregnancy_weeks", _("Weeks pregnant")),
    ("postpartum", _("Given birth in the last 6 weeks")),
    ("anticoagulants", _("Anticoagulants or a bleeding disorder")),
    ("osteoporosis_steroids", _("Osteoporosis or long-term steroids")),
    ("connective_tissue", _("Connective-tissue disease or hypermobility")),
)
_PREGNANT = {"no": "No", "yes": "Yes", "not_applicable": "Does not apply"}


@dataclass(frozen=True)
class ComplaintRow:
    region: str
    onset: str
    severity: int | None
    notes: str


@dataclass(frozen=True)
class IntakeRecord:
    """One intake as a practitioner reads it: each saved section in labelled rows."""

    intake: Intake
    demographics: list[tuple[str, str]]
    history: list[tuple[str, str]]
    medications: str
    complaints: list[ComplaintRow]
    red_flag_answers: list[tuple[str, str]]
    findings: list[RedFlagFinding]
    baseline: list[tuple[str, QuestionnaireResponse]]


def _rows(section: dict, labels) -> list[tuple[str, str]]:
    return [
        (label, str(section[key])) for key, label in labels if section.get(key) not in (None, "")
    ]


def _record(intake: Intake) -> IntakeRecord:
    from .instruments import get_instrument
    from .redflags import RedFlagError, default_table
    from .steps import ONSET_CHOICES, RED_FLAG_CHOICES, complaint_titles

    history = dict(intake.health_history)
    if "pregnant" in history:
        history["pregnant"] = _PREGNANT.get(history["pregnant"], history["pregnant"])
    for key in ("postpartum", "anticoagulants", "osteoporosis_steroids", "connective_tissue"):
        if key in history:
            history[key] = _PREGNANT.get(history[key], history[key])
    titles, onsets = complaint_titles(), dict(ONSET_CHOICES)
    complaints = []
    for complaint in intake.complaints:
        detail = intake.complaint_details.get(complaint) or {}
        onset = detail.get("onset") or ""
        complaints.append(
            ComplaintRow(
                region=titles.get(complaint, complaint),
                onset=onsets.get(onset, onset),
                severity=detail.get("severity"),
                notes=detail.get("notes") or "",
            )
        )
    table, answer_labels = default_table(), dict(RED_FLAG_CHOICES)
    red_flag_answers = []
    for question_id, answer in intake.red_flag_answers.items():
        try:
            text = table.question(question_id).text
        except RedFlagError:
            text = question_id
        red_flag_answers.append((text, answer_labels.get(answer, answer)))
    baseline = [
        (get_instrument(r.instrument_id, r.instrument_version).title, r)
        for r in intake.responses.all()
        if r.context == QuestionnaireResponse.Context.BASELINE
    ]
    return IntakeRecord(
        intake=intake,
        demographics=_rows(intake.demographics, _DEMOGRAPHIC_LABELS),
        history=_rows(history, _HISTORY_LABELS),
        medications=intake.health_history.get("medications", ""),
        complaints=complaints,
        red_flag_answers=red_flag_answers,
        findings=list(intake.red_flags.all()),
        baseline=baseline,
    )


def intake_records(patient: Patient) -> list[IntakeRecord]:
    """Every intake of the patient, newest first, complete or still in progress."""
    intakes = (
        Intake.objects.filter(patient=patient)
        .prefetch_related("responses", "red_flags__handled_by")
        .order_by("-started_at", "-id")
    )
    return [_record(intake) for intake in intakes]


# Which visit a follow-up answer describes is charting's to find (charting sits above intake);
# charting hands its finder in when it loads (``ChartingConfig.ready()``).
SameDayVisitFinder = Callable[[int, dt.datetime], Any]
_same_day_visit_finder: SameDayVisitFinder | None = None


def find_same_day_visits_with(finder: SameDayVisitFinder) -> None:
    """Use ``finder(patient_id, when)`` to link follow-up answers to the day's visit."""
    global _same_day_visit_finder
    _same_day_visit_finder = finder


def visit_on_same_day(patient_id: int, when: dt.datetime):
    """The patient's visit on the local day of ``when``, to link a follow-up answer to, as
    charting finds it (``charting.selectors.visit_on_same_day``); None if there is none."""
    if _same_day_visit_finder is None:
        return None
    return _same_day_visit_finder(patient_id, when)


@dataclass(frozen=True)
class PrecautionView:
    """A precaution in force at a visit, as the exam panel and the visit page show it."""

    record: PrecautionRecord
    precaution: Precaution
    text: str
    bears_on_position: bool
    position: str | None
    acknowledgement: PrecautionAcknowledgement | None

    @property
    def headline(self) -> str:
        """E.g. "24 weeks pregnant: supine positioning precaution"."""
        if self.bears_on_position:
            return f"{self.text}: {self.position} positioning precaution"
        return f"{self.text}: precaution"


def precautions_in_force(patient_id: int) -> list[PrecautionRecord]:
    """The latest record per precaution code for a patient, where the precaution applies."""
    latest: dict[str, PrecautionRecord] = {}
    for record in PrecautionRecord.objects.filter(patient_id=patient_id).order_by(
        "code", "-recorded_at", "-id"
    ):
        latest.setdefault(record.code, record)
    order = list(default_precautions())
    return sorted(
        (r for r in latest.values() if r.present and r.code in order),
        key=lambda r: order.index(r.code),
    )


def visit_precautions(visit_id: int, position: str | None = None) -> list[PrecautionView]:
    """The precautions in force for the patient of a visit, each with whether it bears on the
    suggested set-up ``position`` and its acknowledgement at this visit (None until then).

    The one place that decides a precaution's relevance to a position: the exam's analysis
    panel and the visit page both read it.
    """
    patient_id = Patient.objects.filter(visits__id=visit_id).values_list("pk", flat=True).first()
    if patient_id is None:
        return []
    records = precautions_in_force(patient_id)
    acks = {
        a.precaution_id: a
        for a in PrecautionAcknowledgement.objects.select_related("acknowledged_by").filter(
            visit_id=visit_id, precaution__in=records
        )
    }
    table = default_precautions()
    views = []
    for record in records:
        precaution = table[record.code]
        views.append(
            PrecautionView(
                record=record,
                precaution=precaution,
                text=precaution.describe(record.weeks),
                bears_on_position=precaution.bears_on(position, record.weeks),
                position=position,
                acknowledgement=acks.get(record.pk),
            )
        )
    return views


def new_patients_without_intake(
    day: dt.date | None = None, practitioner_id: int | None = None, limit: int = 100
) -> list:
    """Appointments on ``day`` (tomorrow by default, at each location in its own time) of
    patients coming for the first time (no earlier appointment that was not cancelled) who
    have not completed an intake; earliest first. Two queries (the locations, the list)."""
    windows = Q(pk__in=[])
    for location in Location.objects.all():
        when = day or timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
        start, end = local_day_bounds(when, location)
        windows |= Q(location=location, start__gte=start, start__lt=end)
    earlier = Appointment.objects.filter(
        patient_id=OuterRef("patient_id"), start__lt=OuterRef("start")
    ).exclude(status=Appointment.Status.CANCELLED)
    done = Intake.objects.filter(patient_id=OuterRef("patient_id"), status=Intake.Status.COMPLETE)
    found = Appointment.objects.filter(windows, status=Appointment.Status.BOOKED).filter(
        ~Exists(earlier), ~Exists(done)
    )
    if practitioner_id is not None:
        found = found.filter(practitioner_id=practitioner_id)
    return list(
        found.select_related("patient", "practitioner", "location").order_by("start", "pk")[:limit]
    )


def questionnaire_responses() -> QuerySet[QuestionnaireResponse]:
    """Every completed questionnaire, oldest record first."""
    return QuestionnaireResponse.objects.select_related("visit").order_by("id")
