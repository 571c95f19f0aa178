"""The code mappings against FHIR R4's value sets (as fhir.resources' R4B models declare the
required bindings), and sotclinic's own code system against what the resources use."""

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient

from sotclinic.fhir import codes
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment as OurAppointment
from sotclinic.sot import CATEGORIES, LATERAL_SIDES


def test_every_appointment_status_maps_into_the_appointment_status_value_set():
    assert set(codes.APPOINTMENT_STATUS) == set(OurAppointment.Status.values)
    assert set(codes.APPOINTMENT_STATUS.values()) <= set(codes.value_set(Appointment, "status"))
    assert codes.APPOINTMENT_STATUS["no_show"] == "noshow"
    assert codes.APPOINTMENT_STATUS["completed"] == "fulfilled"


def test_encounter_and_observation_statuses_are_in_their_value_sets():
    assert set(codes.ENCOUNTER_STATUS.values()) <= set(codes.value_set(Encounter, "status"))
    assert set(codes.OBSERVATION_STATUS.values()) <= set(codes.value_set(Observation, "status"))


def test_stored_genders_are_the_administrative_gender_value_set():
    assert set(Patient.Gender.values) == set(codes.value_set(FhirPatient, "gender"))
    assert set(codes.GENDERS) == set(Patient.Gender.values)


def test_condition_verification_codes_are_the_hl7_ones():
    # http://terminology.hl7.org/CodeSystem/condition-ver-status
    allowed = {"unconfirmed", "provisional", "differential", "confirmed", "refuted"}
    assert set(codes.CONDITION_VERIFICATION.values()) <= allowed


@pytest.mark.parametrize("value", [*CATEGORIES, *LATERAL_SIDES])
def test_every_category_and_side_the_engine_knows_has_a_sot_code(value):
    assert value in codes.SOT_CODES
