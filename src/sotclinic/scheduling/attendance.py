"""Who missed visits: no-shows and late cancellations, per patient (the staff patient page and
the attendance report)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from sotclinic.patients.models import Patient

from .models import Appointment

NO_SHOW = Q(appointments__status=Appointment.Status.NO_SHOW)
LATE_CANCEL = Q(
    appointments__status=Appointment.Status.CANCELLED, appointments__cancelled_late=True
)


@dataclass(frozen=True)
class Attendance:
    no_shows: int
    late_cancellations: int


def patient_attendance(patient: Patient) -> Attendance:
    """The patient's no-shows and late cancellations, all time. One query."""
    counts = Appointment.objects.filter(patient=patient).aggregate(
        no_shows=Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
        late=Count("pk", filter=Q(status=Appointment.Status.CANCELLED, cancelled_late=True)),
    )
    return Attendance(counts["no_shows"], counts["late"])


def attendance_report(since: dt.datetime, until: dt.datetime) -> list[Patient]:
    """Patients with a no-show (by the appointment's start) or a late cancellation (by when
    it was cancelled) in [since, until), each with ``no_shows`` and ``late_cancellations``
    counted in that time; most no-shows first. One query."""
    started = Q(appointments__start__gte=since, appointments__start__lt=until)
    cancelled = Q(appointments__cancelled_at__gte=since, appointments__cancelled_at__lt=until)
    return list(
        Patient.objects.annotate(
            no_shows=Count("appointments", filter=started & NO_SHOW),
            late_cancellations=Count("appointments", filter=cancelled & LATE_CANCEL),
        )
        .filter(Q(no_shows__gt=0) | Q(late_cancellations__gt=0))
        .order_by("-no_shows", "-late_cancellations", "last_name", "first_name", "pk")
    )
