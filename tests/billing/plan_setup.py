"""A clinic ready for care plans: a location, a practitioner open every day, a follow-up
appointment type, an adjustment service priced in the clinic-wide fee schedule, a patient."""

import datetime as dt
from dataclasses import dataclass

from sotclinic.accounts.models import Role
from sotclinic.billing.models import Fee, FeeSchedule, Service
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

CORRECTIVE = [{"visits_per_week": 3, "weeks": 2}, {"visits_per_week": 2, "weeks": 3}]


@dataclass
class PlanClinic:
    location: object
    practitioner: object
    kind: object
    service: object
    patient: object
    desk: object


def plan_clinic(fee: int = 4500) -> PlanClinic:
    settings = ClinicSettings.load()
    settings.currency = "GBP"
    settings.save()
    location = make_location(name="Harbour Street Chiropractic")
    practitioner = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type(
        [practitioner], name="Adjustment", duration_minutes=20, buffer_minutes=0
    )
    service = Service.objects.create(name="Adjustment", code="ADJ")
    schedule = FeeSchedule.objects.create(name="Standard", currency="GBP")
    Fee.objects.create(schedule=schedule, service=service, amount=fee)
    patient = make_patient(
        first_name="Olivia", last_name="Smith", date_of_birth=dt.date(1985, 4, 2)
    )
    desk = make_user(Role.FRONT_DESK, username="frontdesk")
    return PlanClinic(location, practitioner, kind, service, patient, desk)
