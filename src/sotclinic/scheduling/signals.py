"""Every saved or deleted row that can change the free slots bumps the schedule version,
whichever path writes it (services, staff pages, the admin); every such row but an
appointment bumps the rules version too."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    Location,
    Practitioner,
    WeeklyBreak,
    WeeklyHours,
)
from .schedule_cache import bump_schedule_version

SCHEDULE_MODELS = (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    Location,
    Practitioner,
    WeeklyBreak,
    WeeklyHours,
)


def schedule_changed(sender, using=None, **kwargs) -> None:
    bump_schedule_version(using, rules=sender is not Appointment)


def connect() -> None:
    for model in SCHEDULE_MODELS:
        post_save.connect(schedule_changed, sender=model, dispatch_uid=f"slots-save-{model}")
        post_delete.connect(schedule_changed, sender=model, dispatch_uid=f"slots-del-{model}")
    for through in (AppointmentType.practitioners.through, Practitioner.locations.through):
        m2m_changed.connect(schedule_changed, sender=through, dispatch_uid=f"slots-m2m-{through}")
