"""The rows of the staff day list, written once in Python so the template only prints them.

A busy day has a hundred appointments; a template that formats each time, looks up each
status label, reverses each link and includes a sub-template per row spends most of the
page's time there, and so does ``format_html`` with a dozen escapes per row. Here a row is
one string put together from parts escaped once each: the times formatted and escaped once
per distinct time, names and type names once per distinct name, one ``reverse`` per link
pattern, the status labels translated once. Every value from the database goes through
``html.escape`` (what Django's ``escape`` does to a plain string); our own catalogue's words
are written as they are, as a template's ``{% translate %}`` writes them.
"""

import datetime as dt
from html import escape

from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sotclinic import clinic_locale
from sotclinic.id_urls import id_url_parts
from sotclinic.scheduling.models import Appointment
from sotclinic.scheduling.selectors import DayAppointment


class _Link:
    """An ``id_url`` whose fixed parts are escaped once (an id is digits: nothing to escape)."""

    def __init__(self, name: str):
        self.head, self.tail = (escape(part) for part in id_url_parts(name))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"


class DayRows:
    """Writes the rows of one request's day list; ``clinical`` adds the practitioner's links
    (the appointments then carry ``charting.selectors.day_visit_columns``)."""

    def __init__(self, *, clinical: bool, csrf_token: str = ""):
        self.clinical = clinical
        self.patient = _Link("patients:detail")
        if clinical:
            self.chart, self.visit = _Link("charting:chart"), _Link("charting:visit")
            self.start, self.start_from_last = (
                _Link("charting:start_visit"),
                _Link("charting:start_visit_from_last"),
            )
            self._form_head = (
                '<input type="hidden" name="csrfmiddlewaretoken" '
                f'value="{escape(csrf_token)}"><button type="submit" class="button small"'
            )
            self.words = {
                "chart": gettext("Chart"),
                "open_signed": gettext("Open visit (signed)"),
                "open": gettext("Open visit"),
                "start": gettext("Start visit"),
                "start_from_last": gettext("Start with last visit's findings"),
                "start_from_last_title": gettext(
                    "Copies the last visit's exam findings, objective text and diagnoses into "
                    "the new draft; review them before signing."
                ),
            }
        self.statuses = {
            value: (escape(value), escape(str(label)))
            for value, label in Appointment.Status.choices
        }
        self._escaped: dict[str, str] = {}
        self._times: dict[tuple, tuple[str, str]] = {}
        self._current = timezone.get_current_timezone()
        # The clinic's clock, looked up once: Django's ``date_format`` (``time_text``) looks a
        # format string up in every format module again for each value.
        self._clock = clinic_locale.time_format()

    def _text(self, value: str) -> str:
        """``value`` escaped, once per distinct value (names and type names repeat)."""
        escaped = self._escaped.get(value)
        if escaped is None:
            escaped = self._escaped[value] = escape(value)
        return escaped

    def _when(self, start: dt.datetime, end: dt.datetime, tz) -> tuple[str, str]:
        """The start as ISO 8601 in the current time zone (like the ``date:'c'`` filter) and
        "09:00–09:20" in the location's time, escaped; once per distinct pair of times."""
        key = (start, end, tz)
        when = self._times.get(key)
        if when is None:
            iso = start.astimezone(self._current).isoformat()
            clock = self._clock
            times = (
                f"{dateformat.format(start.astimezone(tz), clock)}–"
                f"{dateformat.format(end.astimezone(tz), clock)}"
            )
            when = self._times[key] = (escape(iso), escape(times))
        return when

    def html(self, appointments: list[DayAppointment], tz) -> SafeString:
        """A list item per appointment, one a line (empty for none): time, patient, type and
        status, then the clinical links."""
        return mark_safe("\n".join([self._item(a, tz) for a in appointments]))  # noqa: S308

    def _item(self, appointment: DayAppointment, tz) -> str:
        status, label = self.statuses.get(appointment.status) or ((escape(appointment.status),) * 2)
        iso, times = self._when(appointment.start, appointment.end, tz)
        item = (
            f'<li class="appointment status-{status}"><time datetime="{iso}">{times}</time> '
            f'<a class="patient" href="{self.patient(appointment.patient_id)}">'
            f"{self._text(appointment.patient_name)}</a> "
            f'<span class="type">{self._text(appointment.type_name)}</span> '
            f'<span class="status">{label}</span>'
        )
        if self.clinical:
            item += self._links(appointment)
        return item + "</li>"

    def _links(self, appointment: DayAppointment) -> str:
        words = self.words
        parts = [f'<span class="visit-link"> <a href="{self.chart(appointment.patient_id)}">']
        parts.append(words["chart"])
        parts.append("</a>")
        if appointment.chart_visit_id is not None:
            label = words["open_signed"] if appointment.chart_visit_signed else words["open"]
            url = self.visit(appointment.chart_visit_id)
            parts.append(f' <a class="button small" href="{url}">{label}</a>')
        elif appointment.status != Appointment.Status.CANCELLED:
            parts.append(self._form(self.start(appointment.pk), words["start"]))
            if appointment.chart_has_earlier_findings:
                action = self.start_from_last(appointment.pk)
                title = words["start_from_last_title"]
                parts.append(self._form(action, words["start_from_last"], title))
        parts.append("</span>")
        return "".join(parts)

    def _form(self, action: str, label: str, title: str = "") -> str:
        title = f' title="{title}"' if title else ""
        return (
            f' <form method="post" action="{action}" class="inline">{self._form_head}{title}>'
            f"{label}</button></form>"
        )
