"""Writes to patient records: each one transaction with its audit row."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access
from sotclinic.errors import DomainError

from .models import Patient
from .selectors import duplicates_of

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "consent_to_contact",
    "contact_channel",
    "insurer_name",
    "insurance_member_id",
    "insurance_group_number",
    "gender",
    "nhs_number",
    "medical_record_number",
)


class DuplicatePatient(DomainError):
    """A patient with the same e-mail and date of birth is already registered."""

    status_code = 409

    def __init__(self, existing: Patient):
        self.existing = existing
        super().__init__(
            f"{existing.full_name} is already registered with this e-mail and date of birth."
        )


def _apply(patient: Patient, data: dict[str, Any]) -> list[str]:
    """Copy the editable fields onto ``patient``; return the names of those that changed."""
    changed = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(patient, field) != data[field]:
            setattr(patient, field, data[field])
            changed.append(field)
    if "consent_to_contact" in changed:
        patient.consent_recorded_at = timezone.now() if patient.consent_to_contact else None
    return changed


@transaction.atomic
def register_patient(
    actor, data: dict[str, Any], allow_duplicate: bool = False, *, address: str | None = None
) -> Patient:
    """Create a patient from the demographics form's cleaned data and log it.

    ``actor`` is the staff user, ``address`` their client address for the log. Raises
    ``DuplicatePatient`` when the e-mail and date of birth match someone already registered,
    unless ``allow_duplicate``.
    """
    if not allow_duplicate:
        existing = duplicates_of(data.get("email", ""), data.get("date_of_birth")).first()
        if existing is not None:
            raise DuplicatePatient(existing)
    patient = Patient()
    _apply(patient, data)
    patient.save()
    detail = "created anyway despite a matching record" if allow_duplicate else ""
    record_access(actor, patient, Action.REGISTER_PATIENT, detail, address=address)
    return patient


@transaction.atomic
def update_patient(
    actor,
    patient_id: int,
    data: dict[str, Any],
    allow_duplicate: bool = False,
    *,
    address: str | None = None,
) -> Patient:
    """Change a patient's demographics and log which fields changed (names, not values).

    ``actor`` is the staff user, ``address`` their client address for the log.

    Raises ``DuplicatePatient`` when the new e-mail and date of birth match another patient,
    unless ``allow_duplicate``.
    """
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    if not allow_duplicate:
        existing = duplicates_of(
            data.get("email", patient.email),
            data.get("date_of_birth", patient.date_of_birth),
            exclude_pk=patient.pk,
        ).first()
        if existing is not None:
            raise DuplicatePatient(existing)
    changed = _apply(patient, data)
    if changed:
        patient.save(update_fields=[*changed, "consent_recorded_at"])
    record_access(
        actor, patient, Action.EDIT_PATIENT, ", ".join(changed) or "no change", address=address
    )
    return patient


@transaction.atomic
def set_preferred_language(
    actor, patient_id: int, language: str, address: str | None = None
) -> Patient:
    """Record the language a patient reads; their messages are written in it. Blank: the
    clinic's. ``actor`` is the user who chose it, ``address`` their client address. Raises
    ``ValueError`` for a language the app does not ship."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}.")
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    if patient.preferred_language != language:
        patient.preferred_language = language
        patient.save(update_fields=["preferred_language"])
        record_access(actor, patient, Action.EDIT_PATIENT, "preferred_language", address=address)
    return patient
