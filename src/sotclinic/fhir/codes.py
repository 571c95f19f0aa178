"""Code mappings and the code and identifier systems the FHIR resources use.

sotclinic's own code system (``SOT_CODE_SYSTEM``) names what FHIR and LOINC have no code for:
the SOT category and side a practitioner recorded. docs/fhir.md lists its codes.
"""

from sotclinic.charting.diagnosis_codes import SYSTEM_BY_URI

# --- sotclinic's own systems ------------------------------------------------------------------
SOTCLINIC_BASE = "https://sotclinic.org/fhir"
SOT_CODE_SYSTEM = f"{SOTCLINIC_BASE}/CodeSystem/sot"
MRN_SYSTEM = f"{SOTCLINIC_BASE}/sid/medical-record-number"
REGISTRATION_SYSTEM = f"{SOTCLINIC_BASE}/sid/practitioner-registration"
QUESTIONNAIRE_BASE = f"{SOTCLINIC_BASE}/Questionnaire"

SOT_CATEGORY = "sot-category"
SOT_SIDE = "sot-side"
# Every code of SOT_CODE_SYSTEM with its display; docs/fhir.md says the same.
SOT_CODES = {
    SOT_CATEGORY: "SOT category",
    SOT_SIDE: "SOT side",
    "I": "Category I",
    "II": "Category II",
    "III": "Category III",
    "left": "Left",
    "right": "Right",
}

# --- public systems ---------------------------------------------------------------------------
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOINC = "http://loinc.org"
NPRS_LOINC = "72514-3"
NPRS_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
UCUM = "http://unitsofmeasure.org"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
# Diagnosis code systems a note may hold (ICD-10-CM, WHO ICD-10), by their FHIR URI.
DIAGNOSIS_SYSTEMS = frozenset(SYSTEM_BY_URI)

# --- status mappings (the keys are sotclinic's values, the values FHIR R4's codes) -------------
# AppointmentStatus (required binding): http://hl7.org/fhir/R4/valueset-appointmentstatus.html
APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "completed": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}
# EncounterStatus (required): a visit whose note is signed is finished; until then in progress.
ENCOUNTER_STATUS = {True: "finished", False: "in-progress"}
# ObservationStatus (required): from a signed note final, from a draft preliminary.
OBSERVATION_STATUS = {True: "final", False: "preliminary"}
# ConditionVerificationStatus: a diagnosis on a signed note is confirmed, on a draft provisional.
CONDITION_VERIFICATION = {True: "confirmed", False: "provisional"}
# AdministrativeGender (required): sotclinic stores the value set's own codes.
GENDERS = ("male", "female", "other", "unknown")


def value_set(model, element: str) -> list[str]:
    """The codes of an element's required value set, as the fhir.resources model declares them
    (``Appointment``, ``"status"`` → proposed, pending, booked, …)."""
    declared = model.model_fields[element].json_schema_extra["enum_values"]
    return [code for code in declared if code != "+"]  # "+": the set has child codes
