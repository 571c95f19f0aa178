"""Whether a patient may still move or cancel an appointment through its signed link.

The clinic's cancellation window closes self-service that long before the start; reminders go
out before it closes (``ClinicSettings.reminder_hours`` exceeds the window).
"""

import datetime as dt

from .models import Appointment, ClinicSettings


def patient_change_refusal(
    appointment: Appointment, now: dt.datetime, clinic: ClinicSettings | None = None
) -> str | None:
    """Why the patient may not move or cancel through the signed link, or None if they may.
    ``clinic``: the settings row when the caller has read it already."""
    if appointment.status != Appointment.Status.BOOKED or appointment.start <= now:
        return "This appointment can no longer be changed online."
    clinic = clinic or ClinicSettings.load()
    window = dt.timedelta(hours=clinic.cancellation_window_hours)
    if appointment.start - now < window:
        return "It is too close to the appointment to change it online; please call the clinic."
    return None


def patient_may_change(
    appointment: Appointment, now: dt.datetime, clinic: ClinicSettings | None = None
) -> bool:
    """Whether the patient may still move or cancel through the signed link: the appointment
    is booked, and starts no sooner than the clinic's cancellation window from ``now``
    (exactly the window away still may)."""
    return patient_change_refusal(appointment, now, clinic) is None
