"""What intake adds to a booking confirmation: the link to fill in the intake before the first
visit. Registered with scheduling in ``IntakeConfig.ready()``; scheduling, below intake, never
names it."""

from sotclinic.scheduling.models import Appointment

from .services import intake_link_for


def intake_link_context(appointment: Appointment, base_url: str) -> dict:
    """``intake_url`` for the confirmation; nothing once the patient has completed an intake."""
    intake_path = intake_link_for(appointment)
    return {"intake_url": f"{base_url}{intake_path}"} if intake_path else {}
