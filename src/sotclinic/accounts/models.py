from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    FRONT_DESK = "front_desk", "Front desk"
    PATIENT = "patient", "Patient"


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.FRONT_DESK})


class User(AbstractUser):
    """A person who logs in. The role decides which pages and which data they may see."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)

    @property
    def is_clinic_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_practitioner(self) -> bool:
        return self.is_active and self.role == Role.PRACTITIONER

    @property
    def is_patient(self) -> bool:
        return self.is_active and self.role == Role.PATIENT
