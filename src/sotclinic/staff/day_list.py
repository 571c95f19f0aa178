"""The rows of the staff day list, worked out once in Python so the template only writes them.

A busy day has a hundred appointments; a template that formats each time, looks up each
status label, reverses each link and includes a sub-template per row spends most of the
page's time there. Here each row is plain strings: the times formatted once per distinct
time, one ``reverse`` per link pattern, the status labels translated once. Each row's markup
is written here too (`DayRows.html`, escaped by ``format_html``): a dozen template variables
per row were still half the page's time.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sotclinic.clinic_locale import time_text
from sotclinic.id_urls import id_url
from sotclinic.scheduling.models import Appointment
from sotclinic.scheduling.selectors import DayAppointment


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

    def __init__(self, *, clinical: bool, csrf_token: str = ""):
        self.clinical = clinical
        self.csrf_token = csrf_token  # for the start-visit forms
        self.patient = id_url("patients:detail")
        if clinical:
            self.chart, self.visit = id_url("charting:chart"), id_url("charting:visit")
            self.start = id_url("charting:start_visit")
            self.start_from_last = id_url("charting:start_visit_from_last")
        self.labels = {value: str(label) for value, label in Appointment.Status.choices}
        # Our own catalogue's words, written as they are (as a template's {% translate %}).
        self.words = {
            "chart": gettext("Chart"),
            "open_signed": gettext("Open visit (signed)"),
            "open": gettext("Open visit"),
            "start": gettext("Start visit"),
            "start_from_last": gettext("Start with last visit's findings"),
            "start_from_last_title": gettext(
                "Copies the last visit's exam findings, objective text and diagnoses into the "
                "new draft; review them before signing."
            ),
        }
        self.words = {key: mark_safe(text) for key, text in self.words.items()}  # noqa: S308
        self._times: dict[tuple, str] = {}
        self._current = timezone.get_current_timezone()

    def _time(self, value: dt.datetime, tz) -> str:
        key = (value, tz)
        if key not in self._times:
            self._times[key] = time_text(value.astimezone(tz))
        return self._times[key]

    def rows(self, appointments, tz) -> list[DayRow]:
        return [self.row(appointment, tz) for appointment in appointments]

    def row(self, appointment: DayAppointment, tz) -> DayRow:
        base = {
            "status": appointment.status,
            "status_label": self.labels.get(appointment.status, appointment.status),
            "start_iso": appointment.start.astimezone(self._current).isoformat(),
            "times": f"{self._time(appointment.start, tz)}–{self._time(appointment.end, tz)}",
            "patient_name": appointment.patient_name,
            "patient_url": self.patient(appointment.patient_id),
            "type_name": appointment.type_name,
        }
        if not self.clinical:
            return DayRow(**base)
        clinical = {"chart_url": self.chart(appointment.patient_id)}
        if appointment.chart_visit_id is not None:
            clinical["visit_url"] = self.visit(appointment.chart_visit_id)
            clinical["visit_signed"] = appointment.chart_visit_signed
        elif appointment.status != Appointment.Status.CANCELLED:
            clinical["start_visit_url"] = self.start(appointment.pk)
            if appointment.chart_has_earlier_findings:
                clinical["start_from_last_url"] = self.start_from_last(appointment.pk)
        return DayRow(**base, **clinical)

    def html(self, row: DayRow) -> SafeString:
        """The row's list item: time, patient, type and status, then the clinical links."""
        item = format_html(
            '<li class="appointment status-{}"><time datetime="{}">{}</time> '
            '<a class="patient" href="{}">{}</a> <span class="type">{}</span> '
            '<span class="status">{}</span>',
            row.status,
            row.start_iso,
            row.times,
            row.patient_url,
            row.patient_name,
            row.type_name,
            row.status_label,
        )
        if row.chart_url:
            item += self._links(row)
        return item + mark_safe("</li>")

    def _links(self, row: DayRow) -> SafeString:
        words = self.words
        links = format_html(
            '<span class="visit-link"> <a href="{}">{}</a>', row.chart_url, words["chart"]
        )
        if row.visit_url:
            label = words["open_signed"] if row.visit_signed else words["open"]
            links += format_html(' <a class="button small" href="{}">{}</a>', row.visit_url, label)
        if row.start_visit_url:
            links += self._form(row.start_visit_url, words["start"])
        if row.start_from_last_url:
            links += self._form(
                row.start_from_last_url, words["start_from_last"], words["start_from_last_title"]
            )
        return links + mark_safe("</span>")

    def _form(self, action: str, label: str, title: str = "") -> SafeString:
        return format_html(
            ' <form method="post" action="{}" class="inline"><input type="hidden" '
            'name="csrfmiddlewaretoken" value="{}"><button type="submit" class="button small"{}>'
            "{}</button></form>",
            action,
            self.csrf_token,
            format_html(' title="{}"', title) if title else "",
            label,
        )
