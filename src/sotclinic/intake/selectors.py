"""Reads of intake data: open red flags, the latest intake, and who is due a follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from sotclinic.patients.models import Patient

from .models import FollowUpRequest, FollowUpSchedule, Intake, RedFlagFinding


def open_red_flags(patient: Patient | int) -> QuerySet[RedFlagFinding]:
    """The patient's red flags that no practitioner has recorded the handling of yet."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return RedFlagFinding.objects.filter(patient_id=patient_id, handled_at__isnull=True).order_by(
        "raised_at", "id"
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


@dataclass(frozen=True)
class FollowUpDue:
    patient: Patient
    baseline: Intake
    sequence: int


def follow_ups_due(
    now: dt.datetime | None = None, schedule: FollowUpSchedule | None = None
) -> list[FollowUpDue]:
    """Patients due their next follow-up questionnaire under the clinic's schedule.

    The n-th follow-up is due n × N weeks after the baseline intake, or once n × N visits
    have started since it. Only the patient's latest complete intake counts as baseline, and a
    follow-up already created for that step is not due again.
    """
    from sotclinic.charting.models import Visit

    now = now or timezone.now()
    schedule = schedule or FollowUpSchedule.load()
    if not schedule.enabled:
        return []
    baselines: dict[int, Intake] = {}
    for intake in (
        Intake.objects.filter(status=Intake.Status.COMPLETE)
        .select_related("patient")
        .order_by("completed_at")
    ):
        baselines[intake.patient_id] = intake
    sent: dict[int, int] = {}
    for patient_id, sequence in FollowUpRequest.objects.values_list("patient_id", "sequence"):
        sent[patient_id] = max(sent.get(patient_id, 0), sequence)
    due = []
    for patient_id, baseline in baselines.items():
        sequence = sent.get(patient_id, 0) + 1
        if schedule.unit == FollowUpSchedule.Unit.WEEKS:
            is_due = now >= baseline.completed_at + dt.timedelta(weeks=schedule.every * sequence)
        else:
            visits = Visit.objects.filter(
                patient_id=patient_id, started_at__gte=baseline.completed_at, started_at__lte=now
            ).count()
            is_due = visits >= schedule.every * sequence
        if is_due:
            due.append(FollowUpDue(baseline.patient, baseline, sequence))
    return due
