"""POST /api/v1/sot/analyze: the engine's suggestion over HTTP, for signed-in clinic staff."""

import json

import pytest
from django.test import Client

from sotclinic.accounts.models import Role
from sotclinic.exam.services import save_protocol_table
from sotclinic.scheduling.models import ClinicSettings
from sotclinic.sot import analyze, default_protocol_table
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/sot/analyze"


@pytest.fixture
def staff(login):
    return login(make_user(Role.PRACTITIONER))


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def indicators(*pairs):
    return {"indicators": [{"code": code, "side": side} for code, side in pairs]}


@pytest.mark.parametrize(
    ("body", "category", "position"),
    [
        (
            indicators(("achilles_tension", "left"), ("gluteal_tension_asymmetry", "left")),
            "I",
            "prone",
        ),
        (
            indicators(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left")),
            "II",
            "supine",
        ),
        (
            indicators(("sciatic_pain_points", "right"), ("mid_calf_pain_point", "right")),
            "III",
            "prone",
        ),
    ],
)
def test_each_category_is_answered_with_the_engines_analysis(staff, body, category, position):
    response = post(staff, body)

    assert response.status_code == 200
    assert response.json() == analyze(body).as_dict()
    assert response.json()["status"] == "determined"
    assert response.json()["category"] == category
    assert response.json()["protocol"]["position"] == position


def test_leg_length_is_passed_to_the_engine(staff):
    body = indicators(("arm_fossa_test", "bilateral"))
    body["leg_length"] = {"prone_short_side": "right", "difference_mm": 6}

    response = post(staff, body)

    assert response.json() == analyze(body).as_dict()
    assert response.json()["side"] == "right"


def test_leg_checks_and_anatomical_short_leg_are_passed_to_the_engine(staff):
    body = indicators(("arm_fossa_test", "bilateral"), ("lateral_pelvic_sway", "bilateral"))
    body["leg_checks"] = [
        {
            "method": "prone_knees_straight",
            "short_side": "left",
            "difference_mm": 5,
            "confidence": "medium",
        },
        {"method": "supine", "short_side": "right", "confidence": "low"},
    ]
    body["anatomical_short_leg"] = {"status": "suspected", "side": "left"}

    response = post(staff, body)

    assert response.status_code == 200
    assert response.json() == analyze(body).as_dict()
    assert response.json()["engine_version"] == "2"
    assert [r["code"] for r in response.json()["reasons"]] == [
        "arm_fossa_test",
        "lateral_pelvic_sway",
        "leg_length",
        "leg_check_disagreement",
        "anatomical_short_leg",
    ]
    assert response.json()["reasons"][2]["method"] == "prone_knees_straight"


def test_version_one_body_gets_version_one_reasons_without_extra_keys(staff):
    body = indicators(("arm_fossa_test", "bilateral"))
    body["leg_length"] = {"prone_short_side": "right", "difference_mm": 6}

    response = post(staff, body)

    assert [list(r) for r in response.json()["reasons"]] == [["code", "category", "side"]] * 2


def test_indicators_of_two_categories_are_a_conflict(staff):
    body = indicators(("achilles_tension", "left"), ("arm_fossa_test", "left"))

    response = post(staff, body)

    assert response.status_code == 200
    assert response.json()["status"] == "conflict"
    assert response.json()["category"] is None
    assert [r["code"] for r in response.json()["reasons"]] == ["achilles_tension", "arm_fossa_test"]


def test_no_positive_indicator_is_indeterminate(staff):
    response = post(staff, {"indicators": []})

    assert response.status_code == 200
    assert response.json() == {
        "status": "indeterminate",
        "category": None,
        "side": None,
        "reasons": [],
        "protocol": None,
        "engine_version": "2",
    }


def test_the_clinics_protocol_table_is_used(staff):
    table = default_protocol_table().as_dict()
    table["categories"]["II"]["blocks"]["left"][0]["angle_degrees"] = 30
    save_protocol_table(table, make_user(Role.PRACTITIONER))

    response = post(staff, indicators(("arm_fossa_test", "left")))

    assert response.json()["protocol"]["blocks"][0]["angle_degrees"] == 30


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (indicators(("no_such_test", "left")), "indicators[0].code", "unknown indicator code"),
        (indicators(("arm_fossa_test", "up")), "indicators[0].side", "must be one of"),
        (
            indicators(("gluteal_tension_asymmetry", "bilateral")),
            "indicators[0].side",
            "for gluteal",
        ),
        ({"indicators": "arm_fossa_test"}, "indicators", "must be a list"),
        ({"indicators": [{"code": 7, "side": "left"}]}, "indicators[0].code", "must be a string"),
        (
            {"indicators": [], "leg_length": {"difference_mm": "6"}},
            "leg_length.difference_mm",
            "number",
        ),
        ({"indicators": [], "extra": 1}, "body", "unknown field 'extra'"),
        (
            {
                "indicators": [],
                "leg_checks": [{"method": "standing", "short_side": "left", "confidence": "high"}],
            },
            "leg_checks[0].method",
            "must be one of",
        ),
        (
            {"indicators": [], "leg_checks": [{"method": "supine", "short_side": "left"}]},
            "leg_checks[0].confidence",
            "is required",
        ),
        (
            {
                "indicators": [],
                "leg_length": {"prone_short_side": "left"},
                "leg_checks": [{"method": "supine", "short_side": "left", "confidence": "low"}],
            },
            "leg_checks",
            "not both",
        ),
        (
            {"indicators": [], "anatomical_short_leg": {"status": "measured", "side": "both"}},
            "anatomical_short_leg.side",
            "must be one of left, right",
        ),
        ([], "body", "must be a JSON object"),
        ({}, "indicators", "is required"),
    ],
)
def test_bad_findings_are_refused_naming_the_field(staff, body, field, words):
    response = post(staff, body)

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert words in error["message"]
    assert response.json()["detail"].startswith(f"{field}: ")


def test_every_problem_is_listed(staff):
    response = post(staff, indicators(("nope", "left"), ("arm_fossa_test", "middle")))

    assert [e["field"] for e in response.json()["errors"]] == [
        "indicators[0].code",
        "indicators[1].side",
    ]


def test_missing_body_is_refused(staff):
    response = staff.post(URL, data="", content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert "required" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", ["{not json", '{"indicators": [', b"\xff\xfe", "[" * 100_000])
def test_body_that_is_not_json_is_refused(staff, body):
    response = post(staff, body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body", "message": response.json()["errors"][0]["message"]}
    ]
    assert "valid JSON" in response.json()["detail"]


def test_anonymous_caller_gets_401(client):
    response = post(client, {"indicators": []})

    assert response.status_code == 401


def test_patient_gets_403(login):
    client = login(make_user(Role.PATIENT))

    response = post(client, {"indicators": []})

    assert response.status_code == 403
    assert "clinic staff" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DESK])
def test_staff_roles_may_analyze(login, role):
    assert post(login(make_user(role)), {"indicators": []}).status_code == 200


def test_session_caller_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PRACTITIONER))

    response = post(client, {"indicators": []})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_caller_with_csrf_token_is_answered():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PRACTITIONER))
    client.get("/staff/")  # every staff page renders the token, which sets the cookie
    token = client.cookies["csrftoken"].value

    response = post(client, {"indicators": []}, headers={"X-CSRFToken": token})

    assert response.status_code == 200


def test_request_and_response_are_documented_in_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/sot/analyze"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["indicators"]
    code_enum = body["properties"]["indicators"]["items"]["properties"]["code"]["enum"]
    assert "arm_fossa_test" in code_enum
    assert "dollar_sign" in code_enum
    check = body["properties"]["leg_checks"]["anyOf"][0]["items"]
    assert check["properties"]["method"]["enum"] == [
        "prone_knees_straight",
        "prone_knees_flexed",
        "supine",
    ]
    assert "anatomical_short_leg" in body["properties"]
    assert set(operation["responses"]) == {"200", "401", "403", "422"}
    assert "AnalysisOut" in schema["components"]["schemas"]


def test_a_german_clinic_or_request_gets_the_same_english_answer(staff):
    """The tables hold German beside English; the API answers with the English source texts,
    byte for byte what an English request gets."""
    body = indicators(("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left"))
    english = post(staff, body)
    clinic = ClinicSettings.load()
    clinic.language = "de"
    clinic.save()

    german = post(staff, body, HTTP_ACCEPT_LANGUAGE="de")

    assert german.content == english.content
    assert "under the pelvis from behind" in german.content.decode()
