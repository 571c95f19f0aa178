"""The rows of the staff day list, worked out once in Python so the template only writes them.

A busy day has a hundred appointments; a template that formats each time, looks up each
status label, reverses each link and includes a sub-template per row spends most of the
page's time there. Here each row is plain strings: the times formatted once per distinct
time, one ``reverse`` per link pattern, the status labels translated once.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sotclinic.clinic_locale import time_text
from sotclinic.id_urls import id_url
from sotclinic.scheduling.models import Appointment


@dataclass(frozen=True, slots=True)
class DayRow:
    status: str
    status_label: str
    start_iso: str  # in the current time zone, like the ``date:'c'`` filter
    times: str  # "09:00–09:20" in the location's time
    patient_name: str
    patient_url: str
    type_name: str
    # The clinical links, for practitioners only (empty otherwise).
    chart_url: str = ""
    visit_url: str = ""  # the appointment's visit, if there is one
    visit_signed: bool = False
    start_visit_url: str = ""  # a visit may be started (none yet, not cancelled)
    start_from_last_url: str = ""  # ... and an earlier visit has findings to copy


class DayRows:
    """Builds the rows of one request's day list; ``clinical`` adds the practitioner's links
    (the appointments then carry ``attach_visits``' attributes)."""

    def __init__(self, *, clinical: bool):
        self.clinical = clinical
        self.patient = id_url("patients:detail")
        if clinical:
            self.chart, self.visit = id_url("charting:chart"), id_url("charting:visit")
            self.start = id_url("charting:start_visit")
            self.start_from_last = id_url("charting:start_visit_from_last")
        self.labels = {value: str(label) for value, label in Appointment.Status.choices}
        self._times: dict[tuple, str] = {}
        self._current = timezone.get_current_timezone()

    def _time(self, value: dt.datetime, tz) -> str:
        key = (value, tz)
        if key not in self._times:
            self._times[key] = time_text(value.astimezone(tz))
        return self._times[key]

    def rows(self, appointments, tz) -> list[DayRow]:
        return [self.row(appointment, tz) for appointment in appointments]

    def row(self, appointment: Appointment, tz) -> DayRow:
        base = {
            "status": appointment.status,
            "status_label": self.labels.get(appointment.status, appointment.status),
            "start_iso": appointment.start.astimezone(self._current).isoformat(),
            "times": f"{self._time(appointment.start, tz)}–{self._time(appointment.end, tz)}",
            "patient_name": appointment.patient.full_name,
            "patient_url": self.patient(appointment.patient_id),
            "type_name": appointment.appointment_type.name,
        }
        if not self.clinical:
            return DayRow(**base)
        visit = appointment.chart_visit
        clinical = {"chart_url": self.chart(appointment.patient_id)}
        if visit is not None:
            clinical["visit_url"] = self.visit(visit.pk)
            note = getattr(visit, "note", None)  # a visit may have no note yet
            clinical["visit_signed"] = note is not None and note.signed_at is not None
        elif appointment.status != Appointment.Status.CANCELLED:
            clinical["start_visit_url"] = self.start(appointment.pk)
            if appointment.chart_has_earlier_findings:
                clinical["start_from_last_url"] = self.start_from_last(appointment.pk)
        return DayRow(**base, **clinical)
