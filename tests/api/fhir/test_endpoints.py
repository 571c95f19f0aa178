"""The FHIR endpoints one by one: read, search parameters, paging, refusals, the access log."""

import pytest

from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.models import QuestionnaireResponse

from .conftest import make_token
from .validation import validated

pytestmark = pytest.mark.django_db

TYPES = [
    "Patient",
    "Practitioner",
    "Location",
    "Appointment",
    "Encounter",
    "Condition",
    "Observation",
    "Questionnaire",
    "QuestionnaireResponse",
]


def _bundle(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    validated(body)
    return body


def _ids(body) -> list[str]:
    return [entry["resource"]["id"] for entry in body.get("entry", [])]


def test_metadata_is_public_and_lists_every_type_with_the_token_endpoint(fhir):
    response = fhir("metadata")

    assert response.status_code == 200
    body = response.json()
    statement = validated(body)
    assert statement.fhirVersion == "4.0.1"
    assert [r["type"] for r in body["rest"][0]["resource"]] == TYPES
    oauth = body["rest"][0]["security"]["extension"][0]["extension"]
    assert {e["url"]: e["valueUri"] for e in oauth}["token"].endswith("/o/token/")


def test_metadata_names_the_bulk_export_operations(fhir):
    body = fhir("metadata").json()

    rest = body["rest"][0]
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert body["instantiates"] == ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"]
    assert rest["operation"] == [
        {
            "name": "export",
            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
        }
    ]
    assert patient["operation"] == [
        {
            "name": "export",
            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
        }
    ]
    assert all("operation" not in r for r in rest["resource"] if r["type"] != "Patient")


@pytest.mark.parametrize("resource_type", TYPES)
def test_every_type_searches_and_every_entry_reads_back_the_same(
    fhir, chart, system_token, resource_type
):
    body = _bundle(fhir(resource_type, system_token, _count=100))

    assert body["total"] == len(body["entry"]) > 0
    for entry in body["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/fhir/R4/{resource_type}/{resource['id']}")
        read = fhir(f"{resource_type}/{resource['id']}", system_token)
        assert read.status_code == 200
        assert read.json() == resource
        validated(read.json())


def test_patient_carries_gender_and_identifiers(fhir, chart, system_token):
    patient = fhir(f"Patient/{chart.patient.pk}", system_token).json()

    assert patient["gender"] == "female"
    assert patient["birthDate"] == "1980-01-01"
    assert {i["system"]: i["value"] for i in patient["identifier"]} == {
        "https://fhir.nhs.uk/Id/nhs-number": "9434765919",
        "https://sotclinic.org/fhir/sid/medical-record-number": "MR-0001",
    }
    assert patient["name"] == [{"use": "official", "family": "Lovelace", "given": ["Ada"]}]


def test_appointment_statuses_are_mapped_and_searchable(fhir, chart, system_token):
    done = fhir(f"Appointment/{chart.appointment.pk}", system_token).json()
    missed = fhir(f"Appointment/{chart.no_show.pk}", system_token).json()

    assert done["status"] == "fulfilled"
    assert missed["status"] == "noshow"
    assert _ids(_bundle(fhir("Appointment", system_token, status="noshow"))) == [
        str(chart.no_show.pk)
    ]
    assert _ids(_bundle(fhir("Appointment", system_token, status="proposed"))) == []


def test_appointments_by_patient_and_date(fhir, chart, system_token):
    mine = _bundle(fhir("Appointment", system_token, patient=f"Patient/{chart.patient.pk}"))
    on_day = _bundle(fhir("Appointment", system_token, date="2030-03-04"))
    later = _bundle(fhir("Appointment", system_token, date="gt2030-03-04"))
    before = _bundle(fhir("Appointment", system_token, date=["ge2030-03", "lt2030-03-05"]))

    assert _ids(mine) == [str(chart.appointment.pk)]
    assert _ids(on_day) == [str(chart.appointment.pk)]
    assert _ids(later) == [str(chart.no_show.pk)]
    assert _ids(before) == [str(chart.appointment.pk)]


def test_encounter_status_follows_the_signature(fhir, chart, system_token):
    finished = _bundle(fhir("Encounter", system_token, status="finished"))
    open_ = _bundle(fhir("Encounter", system_token, status="in-progress"))
    encounter = fhir(f"Encounter/{chart.visit.pk}", system_token).json()

    assert _ids(finished) == [str(chart.visit.pk)]
    assert _ids(open_) == [str(chart.draft.pk)]
    assert encounter["appointment"] == [{"reference": f"Appointment/{chart.appointment.pk}"}]
    assert encounter["subject"] == {"reference": f"Patient/{chart.patient.pk}"}
    assert _ids(_bundle(fhir("Encounter", system_token, date="le2030-03-04T10:00:00Z"))) == [
        str(chart.visit.pk)
    ]


def test_conditions_are_icd_10_cm_codes_of_the_note(fhir, chart, system_token):
    body = _bundle(fhir("Condition", system_token, patient=str(chart.patient.pk)))

    codings = [entry["resource"]["code"]["coding"][0] for entry in body["entry"]]
    assert [(c["system"], c["code"]) for c in codings] == [
        ("http://hl7.org/fhir/sid/icd-10-cm", "M54.50"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "M99.04"),
    ]
    first = body["entry"][0]["resource"]
    assert first["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert first["encounter"] == {"reference": f"Encounter/{chart.visit.pk}"}
    assert _ids(_bundle(fhir("Condition", system_token, **{"recorded-date": "lt2000"}))) == []


def test_observations_nprs_and_sot_category_and_side(fhir, chart, system_token):
    body = _bundle(fhir("Observation", system_token, patient=f"Patient/{chart.patient.pk}"))

    by_id = {entry["resource"]["id"]: entry["resource"] for entry in body["entry"]}
    nprs_answers = QuestionnaireResponse.objects.filter(patient=chart.patient, instrument_id="nprs")
    assert set(by_id) == {
        f"pain-{chart.visit.pk}",
        f"sot-category-{chart.visit.pk}",
        f"sot-side-{chart.visit.pk}",
        *(f"nprs-{response.pk}" for response in nprs_answers),
    }
    pain = by_id[f"pain-{chart.visit.pk}"]
    assert pain["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert pain["valueQuantity"]["value"] == 6
    nprs = by_id[f"nprs-{chart.nprs.pk}"]
    assert nprs["valueQuantity"]["value"] == 4
    assert nprs["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{chart.nprs.pk}"}]
    category = by_id[f"sot-category-{chart.visit.pk}"]
    assert category["code"]["coding"][0]["code"] == "sot-category"
    assert category["valueCodeableConcept"]["coding"][0] == {
        "system": "https://sotclinic.org/fhir/CodeSystem/sot",
        "code": "II",
        "display": "Category II",
    }
    side = by_id[f"sot-side-{chart.visit.pk}"]
    assert side["valueCodeableConcept"]["coding"][0]["code"] == "left"


def test_a_draft_notes_observation_is_preliminary(fhir, chart, system_token):
    body = _bundle(fhir("Observation", system_token, status="preliminary"))

    assert _ids(body) == [f"pain-{chart.draft.pk}"]
    assert _ids(_bundle(fhir("Observation", system_token, date="2030-03-18"))) == [
        f"nprs-{chart.nprs.pk}"
    ]


def test_questionnaires_are_every_shipped_instrument_version(fhir, chart, system_token):
    body = _bundle(fhir("Questionnaire", system_token, _count=100))

    ids = _ids(body)
    assert {"nprs-v1", "nprs-v2", "rmdq-v1", "grc15-v1", "sleep-diary-v1"} <= set(ids)
    assert _ids(_bundle(fhir("Questionnaire", system_token, status="retired"))) == ["nprs-v1"]


def test_questionnaire_response_answers_point_at_the_questionnaire(fhir, chart, system_token):
    response = fhir(f"QuestionnaireResponse/{chart.rmdq.pk}", system_token).json()

    assert response["questionnaire"] == "https://sotclinic.org/fhir/Questionnaire/rmdq|1"
    assert response["item"][0] == {"linkId": "rmdq_01", "answer": [{"valueBoolean": True}]}
    authored = _bundle(fhir("QuestionnaireResponse", system_token, authored="ge2030-03-18"))
    assert set(_ids(authored)) == {str(chart.nprs.pk), str(chart.rmdq.pk)}
    others = _bundle(fhir("QuestionnaireResponse", system_token, patient=chart.other.pk))
    assert others["total"] == 0


def test_count_pages_with_next_and_previous_links(fhir, chart, system_token):
    first = _bundle(fhir("Questionnaire", system_token, _count=2))
    links = {link["relation"]: link["url"] for link in first["link"]}
    second = _bundle(fhir(links["next"].split("/fhir/R4/")[1], system_token))
    back = {link["relation"]: link["url"] for link in second["link"]}

    assert len(first["entry"]) == 2 and "previous" not in links
    assert first["total"] == second["total"] >= 5
    assert set(_ids(first)).isdisjoint(_ids(second))
    assert "_offset=0" in back["previous"] and "_offset=4" in back["next"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"name": "Ada"}, "unsupported search parameter 'name'"),
        ({"date": "yesterday"}, "is not a FHIR date"),
        ({"date": "2030-02-30"}, "is not a real date"),
        ({"patient": "Ada"}, "is not a patient id"),
        ({"status": "done"}, "is not a status of this type"),
        ({"_count": "0"}, "must be between 1 and 100"),
        ({"_count": "many"}, "is not a whole number"),
        ({"_offset": ["1", "2"]}, "give it once"),
    ],
)
def test_unusable_search_parameters_are_refused_with_a_message(fhir, system_token, params, message):
    response = fhir("Appointment", system_token, **params)

    assert response.status_code == 400
    outcome = validated(response.json())
    assert message in outcome.issue[0].diagnostics


def test_unknown_type_and_unknown_id_are_404(fhir, chart, system_token):
    assert fhir("Medication", system_token).status_code == 404
    assert fhir("Medication/1", system_token).status_code == 404
    missing = fhir("Patient/999999", system_token)
    assert missing.status_code == 404
    assert validated(missing.json()).issue[0].code == "not-found"
    assert fhir("Observation/nprs-abc", system_token).status_code == 404
    assert fhir("Condition/x", system_token).status_code == 404


def test_no_token_or_a_bad_token_is_401_with_a_bearer_challenge(fhir, client, chart):
    bad = client.get("/fhir/R4/Patient", headers={"Authorization": "Bearer not-a-token"})

    for response in (fhir("Patient"), bad):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="fhir"'
        assert validated(response.json()).issue[0].code == "login"


def test_an_expired_token_is_401(fhir, chart):
    token = make_token("system/*.read")
    token.expires = token.created
    token.save()

    assert fhir("Patient", token).status_code == 401


def test_a_token_without_scope_is_403(fhir, chart):
    token = make_token("")

    response = fhir("Patient", token)

    assert response.status_code == 403
    assert "scopes do not allow reading Patient" in response.json()["issue"][0]["diagnostics"]


def test_a_patient_resource_needs_its_own_scope(fhir, chart):
    practitioners_only = make_token("system/Practitioner.read")
    patients = make_token("system/Patient.read")

    assert fhir("Practitioner", practitioners_only).status_code == 200
    assert fhir("Patient", practitioners_only).status_code == 403
    assert fhir(f"Patient/{chart.patient.pk}", practitioners_only).status_code == 403
    assert fhir(f"Patient/{chart.patient.pk}", patients).status_code == 200
    assert fhir("Observation", patients).status_code == 403


def test_a_staff_apps_token_reads_what_its_user_may_see(fhir, chart, practitioner_user):
    from sotclinic.accounts.models import Role
    from tests.factories import make_user

    doctor = make_token("user/*.read", user=practitioner_user)
    desk = make_token("user/*.read", user=make_user(Role.FRONT_DESK))
    patient_account = make_token("user/*.read", user=make_user(Role.PATIENT))
    system_scope_for_user = make_token("system/*.read", user=practitioner_user)

    assert fhir("Observation", doctor).status_code == 200
    assert fhir("Appointment", desk).status_code == 200
    assert fhir("Observation", desk).status_code == 403
    refused = fhir("Appointment", patient_account)
    assert refused.status_code == 403
    assert "not a member of the clinic's staff" in refused.json()["issue"][0]["diagnostics"]
    assert fhir("Patient", system_scope_for_user).status_code == 403


def test_every_read_is_logged_per_patient_with_the_client(fhir, chart, system_token):
    before = AccessLog.objects.count()

    fhir(f"Patient/{chart.patient.pk}", system_token)
    fhir("Appointment", system_token)
    fhir("Location", system_token)
    fhir("Patient/999999", system_token)

    rows = list(AccessLog.objects.order_by("id")[before:])
    client = f"Lab link ({system_token.application.client_id})"
    assert [(r.patient_id, r.detail) for r in rows] == [
        (chart.patient.pk, f"FHIR Patient read {chart.patient.pk}"),
        (chart.patient.pk, "FHIR Appointment search"),
        (chart.other.pk, "FHIR Appointment search"),
        (None, "FHIR Location search"),
        (None, "FHIR Patient read 999999 (not found)"),
    ]
    assert {(r.action, r.client, r.user_id) for r in rows} == {(Action.FHIR_READ, client, None)}


def test_a_staff_apps_reads_are_logged_under_its_user(fhir, chart, practitioner_user):
    token = make_token("user/Patient.read", user=practitioner_user, name="Tablet app")

    fhir(f"Patient/{chart.patient.pk}", token)

    row = AccessLog.objects.latest("id")
    assert row.user == practitioner_user
    assert row.client.startswith("Tablet app (")


def test_refused_reads_write_no_rows(fhir, chart):
    before = AccessLog.objects.count()

    fhir("Patient")
    fhir("Patient", make_token(""))

    assert AccessLog.objects.count() == before
