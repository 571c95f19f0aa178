"""The apps' rows as FHIR R4 resources, each built and validated with fhir.resources (R4B).

Every function here returns a validated model; building one that breaks the FHIR rules
(a missing required element, a wrong type) raises pydantic's ValidationError, never a
silently wrong resource.
"""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.condition import Condition as FhirCondition
from fhir.resources.R4B.encounter import Encounter as FhirEncounter
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from sotclinic.intake.instruments import Instrument, Item

from . import codes


def _ref(resource_type: str, pk) -> dict:
    return {"reference": f"{resource_type}/{pk}"}


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def patient(row) -> FhirPatient:
    """A patient's demographics, contact details and identifiers."""
    identifiers = []
    if row.nhs_number:
        identifiers.append({"system": codes.NHS_NUMBER_SYSTEM, "value": row.nhs_number})
    if row.medical_record_number:
        identifiers.append(
            {
                "type": {"coding": [{"system": codes.IDENTIFIER_TYPE_SYSTEM, "code": "MR"}]},
                "system": codes.MRN_SYSTEM,
                "value": row.medical_record_number,
            }
        )
    telecom = []
    if row.phone:
        telecom.append({"system": "phone", "value": row.phone})
    if row.email:
        telecom.append({"system": "email", "value": row.email})
    data = {
        "resourceType": "Patient",
        "id": str(row.pk),
        "identifier": identifiers or None,
        "active": True,
        "name": [{"use": "official", "family": row.last_name, "given": [row.first_name]}],
        "telecom": telecom or None,
        "gender": row.gender or None,
        "birthDate": row.date_of_birth.isoformat(),
        "address": [{"text": row.address}] if row.address else None,
        "communication": (
            [
                {
                    "language": {
                        "coding": [
                            {"system": codes.LANGUAGE_SYSTEM, "code": row.preferred_language}
                        ]
                    },
                    "preferred": True,
                }
            ]
            if row.preferred_language
            else None
        ),
    }
    return FhirPatient.model_validate(data)


def practitioner(row) -> FhirPractitioner:
    """A practitioner: name, identifiers (NPI, registration number) and qualifications."""
    identifiers = []
    if row.npi:
        identifiers.append({"system": codes.NPI_SYSTEM, "value": row.npi})
    if row.registration_number:
        identifiers.append({"system": codes.REGISTRATION_SYSTEM, "value": row.registration_number})
    qualifications = [
        {"code": {"text": text}} for text in (row.credentials, row.certification_display) if text
    ]
    user = row.user
    name = {"text": row.display_name}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    data = {
        "resourceType": "Practitioner",
        "id": str(row.pk),
        "identifier": identifiers or None,
        "active": row.active,
        "name": [name],
        "qualification": qualifications or None,
    }
    return FhirPractitioner.model_validate(data)


def location(row) -> FhirLocation:
    """A clinic location with its address, phone and e-mail."""
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", row.phone), ("email", row.email))
        if value
    ]
    data = {
        "resourceType": "Location",
        "id": str(row.pk),
        "status": "active",
        "name": row.name,
        "telecom": telecom or None,
        "address": {"text": row.address} if row.address else None,
    }
    return FhirLocation.model_validate(data)


def appointment(row) -> FhirAppointment:
    """An appointment; its status mapped by ``codes.APPOINTMENT_STATUS``."""
    participants = [
        {"actor": {**_ref("Patient", row.patient_id), "display": row.patient.full_name}},
        {
            "actor": {
                **_ref("Practitioner", row.practitioner_id),
                "display": row.practitioner.display_name,
            }
        },
        {"actor": {**_ref("Location", row.location_id), "display": row.location.name}},
    ]
    data = {
        "resourceType": "Appointment",
        "id": str(row.pk),
        "status": codes.APPOINTMENT_STATUS[row.status],
        "appointmentType": {"text": row.appointment_type.name},
        "start": _instant(row.start),
        "end": _instant(row.end),
        "minutesDuration": int((row.end - row.start).total_seconds() // 60),
        "created": _instant(row.created_at),
        "cancelationReason": (
            {"text": row.get_cancellation_reason_display()} if row.cancellation_reason else None
        ),
        "participant": [{**p, "status": "accepted"} for p in participants],
    }
    return FhirAppointment.model_validate(data)


def _note(visit):
    return getattr(visit, "note", None)


def _signed(visit) -> bool:
    note = _note(visit)
    return bool(note and note.signed_at)


def encounter(visit) -> FhirEncounter:
    """A visit, as an ambulatory encounter; finished once its note is signed."""
    data = {
        "resourceType": "Encounter",
        "id": str(visit.pk),
        "status": codes.ENCOUNTER_STATUS[_signed(visit)],
        "class": {"system": codes.ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "subject": _ref("Patient", visit.patient_id),
        "participant": [{"individual": _ref("Practitioner", visit.practitioner_id)}],
        "period": {"start": _instant(visit.started_at)},
        "appointment": [_ref("Appointment", visit.appointment_id)]
        if visit.appointment_id
        else None,
        "location": (
            [{"location": _ref("Location", visit.appointment.location_id)}]
            if visit.appointment_id
            else None
        ),
    }
    return FhirEncounter.model_validate(data)


def condition(visit, index: int, code) -> FhirCondition:
    """The ``index``-th diagnosis code of a visit's note (a ``DiagnosisCode``)."""
    signed = _signed(visit)
    coding = {"system": code.system_uri, "code": code.code}
    if code.title:
        coding["display"] = code.title
    note = _note(visit)
    recorded = note.signed_at if signed else note.updated_at
    data = {
        "resourceType": "Condition",
        "id": f"{visit.pk}-{index}",
        "verificationStatus": {
            "coding": [
                {
                    "system": codes.CONDITION_VERIFICATION_SYSTEM,
                    "code": codes.CONDITION_VERIFICATION[signed],
                }
            ]
        },
        "category": [
            {"coding": [{"system": codes.CONDITION_CATEGORY_SYSTEM, "code": "encounter-diagnosis"}]}
        ],
        "code": {"coding": [coding]},
        "subject": _ref("Patient", visit.patient_id),
        "encounter": _ref("Encounter", visit.pk),
        "recordedDate": _instant(recorded),
        "recorder": _ref("Practitioner", visit.practitioner_id),
    }
    return FhirCondition.model_validate(data)


def _category(code: str) -> list[dict]:
    return [{"coding": [{"system": codes.OBSERVATION_CATEGORY_SYSTEM, "code": code}]}]


def _score(value) -> dict:
    return {"value": value, "unit": "{score}", "system": codes.UCUM, "code": "{score}"}


NPRS_CODE = {
    "coding": [{"system": codes.LOINC, "code": codes.NPRS_LOINC, "display": codes.NPRS_DISPLAY}],
    "text": "NPRS",
}


def note_pain_observation(visit) -> FhirObservation:
    """The pain score (0–10) recorded in a visit's note, as NPRS (LOINC 72514-3)."""
    note = _note(visit)
    data = {
        "resourceType": "Observation",
        "id": f"pain-{visit.pk}",
        "status": codes.OBSERVATION_STATUS[_signed(visit)],
        "category": _category("survey"),
        "code": NPRS_CODE,
        "subject": _ref("Patient", visit.patient_id),
        "encounter": _ref("Encounter", visit.pk),
        "effectiveDateTime": _instant(visit.started_at),
        "performer": [_ref("Practitioner", visit.practitioner_id)],
        "valueQuantity": _score(note.pain_score),
    }
    return FhirObservation.model_validate(data)


def _sot(code: str) -> dict:
    return {
        "coding": [
            {"system": codes.SOT_CODE_SYSTEM, "code": code, "display": codes.SOT_CODES[code]}
        ]
    }


def sot_observation(visit, what: str) -> FhirObservation:
    """The SOT category or side (``what``: ``codes.SOT_CATEGORY`` or ``codes.SOT_SIDE``) the
    practitioner confirmed or chose at a visit, in sotclinic's own code system."""
    exam = _note(visit).exam
    value = exam.confirmed_category if what == codes.SOT_CATEGORY else exam.confirmed_side
    data = {
        "resourceType": "Observation",
        "id": f"{what}-{visit.pk}",
        "status": codes.OBSERVATION_STATUS[_signed(visit)],
        "category": _category("exam"),
        "code": _sot(what),
        "subject": _ref("Patient", visit.patient_id),
        "encounter": _ref("Encounter", visit.pk),
        "effectiveDateTime": _instant(visit.started_at),
        "performer": [_ref("Practitioner", visit.practitioner_id)],
        "valueCodeableConcept": _sot(value),
    }
    return FhirObservation.model_validate(data)


def nprs_observation(response) -> FhirObservation:
    """An NPRS questionnaire's score as an Observation (LOINC 72514-3), derived from the
    QuestionnaireResponse."""
    data = {
        "resourceType": "Observation",
        "id": f"nprs-{response.pk}",
        "status": "final",
        "category": _category("survey"),
        "code": NPRS_CODE,
        "subject": _ref("Patient", response.patient_id),
        "encounter": _ref("Encounter", response.visit_id) if response.visit_id else None,
        "effectiveDateTime": _instant(response.administered_at),
        "valueQuantity": _score(response.score),
        "derivedFrom": [_ref("QuestionnaireResponse", response.pk)],
        "note": [{"text": f"Recall period: {response.recall_label}"}]
        if response.recall_period
        else None,
    }
    return FhirObservation.model_validate(data)


def questionnaire_id(instrument_id: str, version: int) -> str:
    """A FHIR id (letters, digits, '-' and '.') for one version of an instrument."""
    return f"{instrument_id.replace('_', '-')}-v{version}"


def questionnaire_url(instrument_id: str) -> str:
    return f"{codes.QUESTIONNAIRE_BASE}/{instrument_id.replace('_', '-')}"


_ITEM_TYPES = {"tick": "boolean", "integer": "integer", "choice": "choice", "time": "time"}


def _item(item: Item) -> dict:
    entry = {"linkId": item.id, "text": item.text, "type": _ITEM_TYPES[item.answer.type]}
    if item.answer.type == "choice":
        entry["answerOption"] = [
            {"valueCoding": {"code": str(option.value), "display": option.label}}
            for option in item.answer.options
        ]
    return entry


def questionnaire(instrument: Instrument, current: bool) -> FhirQuestionnaire:
    """One version of a shipped instrument; ``current`` is False for an older version (kept so
    that responses to it can still be read), which is then retired."""
    data = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(instrument.id, instrument.version),
        "url": questionnaire_url(instrument.id),
        "version": str(instrument.version),
        "name": "".join(ch for ch in instrument.short_title.title() if ch.isalnum()) or "Q",
        "title": instrument.title,
        "status": "active" if current else "retired",
        "description": instrument.instructions or None,
        "copyright": instrument.licence.holder or None,
        "language": instrument.language,
        "item": [_item(item) for item in instrument.items],
    }
    return FhirQuestionnaire.model_validate(data)


def _answer(item: Item | None, value) -> dict | None:
    if item is None or value is None or value == "":
        return None
    kind = item.answer.type
    if kind == "tick":
        return {"valueBoolean": bool(value)}
    if kind == "choice":
        labels = {option.value: option.label for option in item.answer.options}
        return {"valueCoding": {"code": str(value), "display": labels.get(value)}}
    if kind == "time":
        text = str(value)
        return {"valueTime": text if text.count(":") == 2 else f"{text}:00"}
    return {"valueInteger": int(value)}


def questionnaire_response(row, instrument: Instrument | None) -> FhirQuestionnaireResponse:
    """A completed questionnaire with its answers, pointing at the version it answered."""
    items = {item.id: item for item in instrument.items} if instrument else {}
    answered = []
    for link_id, value in (row.answers or {}).items():
        answer = _answer(items.get(link_id), value)
        if answer:
            answered.append({"linkId": link_id, "answer": [answer]})
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": str(row.pk),
        "questionnaire": f"{questionnaire_url(row.instrument_id)}|{row.instrument_version}",
        "status": "completed",
        "subject": _ref("Patient", row.patient_id),
        "encounter": _ref("Encounter", row.visit_id) if row.visit_id else None,
        "authored": _instant(row.administered_at),
        "source": _ref("Patient", row.patient_id),
        "item": answered or None,
    }
    return FhirQuestionnaireResponse.model_validate(data)
