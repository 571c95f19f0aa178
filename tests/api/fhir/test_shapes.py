"""Resources of rows with little or unusual content: every one still validates."""

import datetime as dt

import pytest

from sotclinic.charting.models import Visit
from sotclinic.intake.models import QuestionnaireResponse
from tests.factories import make_patient, make_practitioner, make_visit, save_note

from .conftest import SEEN
from .validation import validated

pytestmark = pytest.mark.django_db


def test_a_patient_without_contact_details_or_identifiers(fhir, system_token):
    patient = make_patient(email="", preferred_language="de")

    body = fhir(f"Patient/{patient.pk}", system_token).json()

    validated(body)
    assert "telecom" not in body and "identifier" not in body and "gender" not in body
    assert body["communication"][0]["language"]["coding"][0]["code"] == "de"


def test_a_practitioner_with_a_registration_number_and_no_names(fhir, system_token):
    doctor = make_practitioner(registration_number="GCC 01234")
    doctor.user.first_name = doctor.user.last_name = ""
    doctor.user.save()

    body = fhir(f"Practitioner/{doctor.pk}", system_token).json()

    validated(body)
    assert body["identifier"] == [
        {"system": "https://sotclinic.org/fhir/sid/practitioner-registration", "value": "GCC 01234"}
    ]
    assert body["name"] == [{"text": doctor.display_name}]


def test_a_code_no_list_holds_has_no_display_and_a_draft_is_provisional(fhir, chart, system_token):
    save_note(chart.draft, diagnosis_codes=["A00.0"])  # well-formed, in no list sotclinic ships

    body = fhir(f"Condition/{chart.draft.pk}-0", system_token).json()

    validated(body)
    assert body["code"]["coding"] == [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "A00.0"}
    ]
    assert body["verificationStatus"]["coding"][0]["code"] == "provisional"


def test_a_visit_without_a_note_or_pain_score_gives_only_its_encounter(fhir, system_token):
    doctor = make_practitioner()
    patient = make_patient()
    bare = Visit.objects.create(patient=patient, practitioner=doctor, created_by=doctor.user)
    empty = make_visit(doctor, patient)

    observations = fhir("Observation", system_token, patient=patient.pk).json()
    conditions = fhir("Condition", system_token, patient=patient.pk).json()
    encounters = fhir("Encounter", system_token, patient=patient.pk, _id=f"{bare.pk},{empty.pk}")

    assert observations["total"] == 0 and conditions["total"] == 0
    assert encounters.json()["total"] == 2


def test_answers_of_every_item_type_and_of_an_unknown_instrument(fhir, chart, system_token):
    choice = QuestionnaireResponse.objects.create(
        patient=chart.patient,
        instrument_id="grc15",
        instrument_version=1,
        answers={"grc_change": 3, "unknown_item": 1},
        score=3,
        administered_at=SEEN,
        context="follow_up",
    )
    times = QuestionnaireResponse.objects.create(
        patient=chart.patient,
        instrument_id="sleep_diary",
        instrument_version=1,
        answers={"sd_into_bed": "22:30", "sd_tried_to_sleep": "23:00:00", "sd_out_of_bed": None},
        score=0,
        administered_at=SEEN,
        context="follow_up",
    )
    retired = QuestionnaireResponse.objects.create(
        patient=chart.patient,
        instrument_id="no_longer_shipped",
        instrument_version=9,
        answers={"x": 1},
        score=1,
        administered_at=SEEN,
        context="follow_up",
    )

    grc = fhir(f"QuestionnaireResponse/{choice.pk}", system_token).json()
    sleep = fhir(f"QuestionnaireResponse/{times.pk}", system_token).json()
    gone = fhir(f"QuestionnaireResponse/{retired.pk}", system_token).json()

    for body in (grc, sleep, gone):
        validated(body)
    assert grc["item"] == [
        {
            "linkId": "grc_change",
            "answer": [{"valueCoding": grc["item"][0]["answer"][0]["valueCoding"]}],
        }
    ]
    assert grc["item"][0]["answer"][0]["valueCoding"]["code"] == "3"
    assert [i["answer"][0]["valueTime"] for i in sleep["item"]] == ["22:30:00", "23:00:00"]
    assert "item" not in gone


def test_a_date_time_without_a_zone_is_read_as_utc(fhir, chart, system_token):
    body = fhir("Appointment", system_token, date="2030-03-04T10:00:00").json()

    assert [e["resource"]["id"] for e in body["entry"]] == [str(chart.appointment.pk)]
    assert dt.datetime(2030, 3, 4, 10, tzinfo=dt.UTC) == chart.appointment.start
