"""Reading an appointment's history (the selector behind the staff appointment page).

The rows are written by ``services.record_change``; each keeps the changed fields before and
after as JSON, with names as they read at the time, so showing the history takes one query
however long it is.
"""

import datetime as dt
from dataclasses import dataclass

from sotclinic.clinic_locale import date_text, time_text

from .models import Appointment, AppointmentChange

# The fields in the order the page names them.
FIELD_LABELS = {
    "start": "When",
    "end": "Ends",
    "practitioner": "With",
    "location": "Where",
    "appointment_type": "Visit",
    "patient": "Patient",
    "status": "Status",
}
# A booking shows what was booked, not every field.
BOOKED_FIELDS = ("start", "practitioner", "appointment_type", "status")
STATUS_LABELS = dict(Appointment.Status.choices)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: dt.datetime  # in the location's time zone
    when: str  # the same, written out (templates would convert it to the server's zone)
    actor: str
    channel: str
    action: str
    changes: list[FieldChange]


def _shown(field: str, value, tz) -> str:
    if value is None or value == "":
        return ""
    if field in ("start", "end"):
        local = dt.datetime.fromisoformat(value).astimezone(tz)
        return f"{date_text(local, 'weekday')} {time_text(local)}"
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if isinstance(value, dict):
        return value.get("name", "")
    return str(value)


def _changes(row: AppointmentChange, tz) -> list[FieldChange]:
    fields = [field for field in FIELD_LABELS if field in row.new or field in row.old]
    if row.action == AppointmentChange.Action.BOOKED and not row.old:
        fields = [
            field
            for field in BOOKED_FIELDS
            if field in fields
            and not (field == "status" and row.new[field] == Appointment.Status.BOOKED)
        ]
    elif "start" in fields and "end" in fields:
        fields.remove("end")  # the end follows the start
    return [
        FieldChange(
            FIELD_LABELS[field],
            _shown(field, row.old.get(field), tz),
            _shown(field, row.new.get(field), tz),
        )
        for field in fields
    ]


def appointment_history(appointment: Appointment) -> list[HistoryEntry]:
    """The appointment's changes, oldest first, with times in its location's zone.

    One query, whatever the length of the history. Holds no clinical data, so front desk
    may see it.
    """
    tz = appointment.location.tz
    channels = dict(AppointmentChange.Channel.choices)
    actions = dict(AppointmentChange.Action.choices)
    return [
        HistoryEntry(
            occurred_at=row.occurred_at.astimezone(tz),
            when=f"{date_text(row.occurred_at.astimezone(tz), 'medium')} "
            f"{time_text(row.occurred_at.astimezone(tz))}",
            actor=row.actor,
            channel=channels.get(row.channel, row.channel),
            action=actions.get(row.action, row.action),
            changes=_changes(row, tz),
        )
        for row in AppointmentChange.objects.filter(appointment=appointment).order_by(
            "occurred_at", "pk"
        )
    ]
