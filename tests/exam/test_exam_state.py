"""parse_exam_post reads the exam form back into the exam state document, with field errors."""

from sotclinic.charting.exam import exam_context, parse_exam_post
from sotclinic.exam.state import ExamFields
from sotclinic.sot import default_protocol_table

STATE = {
    "findings": {
        "indicators": [
            {"code": "arm_fossa_test", "side": "left"},
            {"code": "inguinal_ligament_sensitivity", "side": "bilateral"},
        ],
        "leg_checks": [
            {
                "method": "prone_knees_straight",
                "short_side": "left",
                "difference_mm": 6,
                "confidence": "high",
            },
            {"method": "supine", "short_side": "right", "confidence": "low"},
        ],
        "anatomical_short_leg": {"status": "suspected", "side": "left"},
    },
    "recheck": {"arm_fossa_test": "cleared", "inguinal_ligament_sensitivity": "present"},
    "cmrt": [
        {
            "line": 2,
            "area": 3,
            "side": "right",
            "vertebral_level": "T5",
            "reflex_area": "stomach",
            "trapezius_confirmed": True,
        }
    ],
    "rc_factors": [{"pair": "C1-L5", "side": "left", "response": "tender, eased"}],
    "cranial": [{"name": "Temporomandibular joint (TMJ)", "side": "left", "response": "improved"}],
    "screening": {
        "blood_pressure": {"systolic": 128, "diastolic": 84},
        "cranial_nerves": {"result": "normal", "note": ""},
        "gait": {"result": "abnormal", "note": "wide-based"},
        "umn": {"hoffmann": "negative", "clonus": "not_tested"},
    },
}
CMRT_FIELD = {
    "line": "line",
    "area": "area",
    "side": "side",
    "vertebral_level": "level",
    "reflex_area": "reflex",
    "trapezius_confirmed": "trapezius",
}
TRAPEZIUS_VALUE = {True: "confirmed", False: "not_confirmed", None: ""}


def form_data_for(state, prefix="exam"):
    """What a browser posts for a given state (the inverse of parse_exam_post)."""
    fields = ExamFields(prefix)
    data = {}
    for entry in state["findings"]["indicators"]:
        data[fields.indicator(entry["code"])] = entry["side"]
    for check in state["findings"].get("leg_checks", []):
        data[fields.leg_check(check["method"], "side")] = check["short_side"]
        data[fields.leg_check(check["method"], "mm")] = str(check.get("difference_mm", ""))
        data[fields.leg_check(check["method"], "confidence")] = check["confidence"]
    flag = state["findings"].get("anatomical_short_leg")
    if flag:
        data[fields.anatomical("status")] = flag["status"]
        data[fields.anatomical("side")] = flag["side"]
    for code, value in state["recheck"].items():
        data[fields.recheck(code)] = value
    for i, row in enumerate(state["cmrt"]):
        for key, value in row.items():
            text = TRAPEZIUS_VALUE[value] if key == "trapezius_confirmed" else value
            data[fields.cmrt(i, CMRT_FIELD[key])] = "" if text is None else str(text)
    for i, row in enumerate(state["rc_factors"]):
        for part, value in row.items():
            data[fields.rc(i, part)] = "" if value is None else str(value)
    for i, row in enumerate(state["cranial"]):
        for part, value in row.items():
            data[fields.cranial(i, part)] = "" if value is None else str(value)
    screening = state["screening"]
    data[fields.screening("bp-systolic")] = str(screening["blood_pressure"]["systolic"])
    data[fields.screening("bp-diastolic")] = str(screening["blood_pressure"]["diastolic"])
    for key in ("cranial_nerves", "gait"):
        slug = key.replace("_", "")
        data[fields.screening(f"{slug}-result")] = screening[key]["result"]
        data[fields.screening(f"{slug}-note")] = screening[key]["note"]
    for sign, value in screening["umn"].items():
        data[fields.screening(f"umn-{sign}")] = value
    return data


def test_state_survives_a_round_trip_through_the_form():
    state, errors = parse_exam_post(form_data_for(STATE))

    assert errors == {}
    assert state == STATE


def test_round_trip_with_another_prefix_ignores_other_fields():
    data = {**form_data_for(STATE, prefix="visitexam"), "subjective": "sore back"}

    state, errors = parse_exam_post(data, prefix="visitexam")

    assert errors == {}
    assert state == STATE


def test_a_post_without_exam_fields_gives_no_state():
    assert parse_exam_post({"subjective": "sore back"}) == (None, {})


def test_an_empty_exam_is_an_empty_state():
    state, errors = parse_exam_post({"exam-ind-arm_fossa_test": ""})

    assert errors == {}
    assert state == {
        "findings": {"indicators": []},
        "recheck": {},
        "cmrt": [],
        "rc_factors": [],
        "cranial": [],
        "screening": {},
    }


def test_side_the_registry_does_not_allow_is_an_error_on_that_field():
    state, errors = parse_exam_post({"exam-ind-gluteal_tension_asymmetry": "bilateral"})

    assert "exam-ind-gluteal_tension_asymmetry" in errors
    assert state["findings"]["indicators"] == []


def test_leg_length_problems_are_named_on_their_fields():
    _, not_a_number = parse_exam_post({"exam-leg-side": "left", "exam-leg-mm": "six"})
    _, negative = parse_exam_post({"exam-leg-side": "left", "exam-leg-mm": "-3"})
    _, no_side = parse_exam_post({"exam-leg-mm": "4"})

    assert "number" in not_a_number["exam-leg-mm"]
    assert "0 or more" in negative["exam-leg-mm"]
    assert "exam-leg-side" in no_side


def test_recheck_of_an_indicator_not_positive_is_ignored():
    state, errors = parse_exam_post({"exam-recheck-arm_fossa_test": "cleared"})

    assert errors == {}
    assert state["recheck"] == {}


def test_cmrt_row_takes_the_reflex_area_from_the_table_and_flags_bad_rows():
    state, errors = parse_exam_post(
        {
            "exam-cmrt-0-line": "1",
            "exam-cmrt-0-area": "1",
            "exam-cmrt-0-side": "left",
            "exam-cmrt-0-level": "T8",
            "exam-cmrt-1-line": "9",
            "exam-cmrt-1-side": "bilateral",
        }
    )

    assert state["cmrt"] == [
        {
            "line": 1,
            "area": 1,
            "side": "left",
            "vertebral_level": "T8",
            "reflex_area": "liver",
            "trapezius_confirmed": None,
        }
    ]
    assert "line" in errors["exam-cmrt-1-line"]
    assert "area" in errors["exam-cmrt-1-area"]
    assert "left or right" in errors["exam-cmrt-1-side"]


def test_trapezius_confirmation_needs_the_level_it_was_checked_at():
    _, errors = parse_exam_post(
        {
            "exam-cmrt-0-line": "2",
            "exam-cmrt-0-area": "4",
            "exam-cmrt-0-side": "right",
            "exam-cmrt-0-trapezius": "confirmed",
        },
        area_levels={},  # the clinic has given area 4 no level either
    )

    assert "trapezius reflex is checked at a vertebral level" in errors["exam-cmrt-0-trapezius"]


def test_each_leg_check_needs_the_examiners_confidence():
    state, errors = parse_exam_post(
        {"exam-legcheck-supine-side": "left", "exam-legcheck-supine-mm": "4"}
    )

    assert "how sure" in errors["exam-legcheck-supine-confidence"]
    assert "leg_checks" not in state["findings"]


def test_leg_check_problems_are_named_on_their_fields():
    _, not_a_number = parse_exam_post(
        {
            "exam-legcheck-prone_knees_flexed-side": "left",
            "exam-legcheck-prone_knees_flexed-mm": "six",
            "exam-legcheck-prone_knees_flexed-confidence": "high",
        }
    )
    _, equal_but_apart = parse_exam_post(
        {
            "exam-legcheck-supine-side": "none",
            "exam-legcheck-supine-mm": "5",
            "exam-legcheck-supine-confidence": "low",
        }
    )
    _, bad_flag = parse_exam_post({"exam-asl-status": "certain", "exam-asl-side": "up"})

    assert "number" in not_a_number["exam-legcheck-prone_knees_flexed-mm"]
    assert "Supine" in equal_but_apart["exam-legcheck-supine-mm"]
    assert "measured or suspected" in bad_flag["exam-asl-status"]
    assert "which leg" in bad_flag["exam-asl-side"]


def test_rc_factor_must_name_a_shipped_pair_and_a_side():
    state, errors = parse_exam_post({"exam-rc-0-pair": "C1-T12", "exam-rc-0-side": "up"})

    assert state["rc_factors"] == []
    assert "pair" in errors["exam-rc-0-pair"]
    assert "left, right or bilateral" in errors["exam-rc-0-side"]


def test_blood_pressure_outside_the_plausible_range_is_refused_by_field():
    _, high = parse_exam_post({"exam-bp-systolic": "400", "exam-bp-diastolic": "80"})
    _, text = parse_exam_post({"exam-bp-systolic": "12O", "exam-bp-diastolic": "80"})
    _, upside_down = parse_exam_post({"exam-bp-systolic": "80", "exam-bp-diastolic": "120"})
    _, half = parse_exam_post({"exam-bp-systolic": "120"})

    assert "between 50 and 300" in high["exam-bp-systolic"]
    assert "whole number" in text["exam-bp-systolic"]
    assert "lower than systolic" in upside_down["exam-bp-diastolic"]
    assert "diastolic" in half["exam-bp-diastolic"]


def test_abnormal_screen_needs_a_note_and_umn_results_come_from_the_list():
    _, errors = parse_exam_post(
        {"exam-cranialnerves-result": "abnormal", "exam-umn-hoffmann": "maybe"}
    )

    assert "say what was abnormal" in errors["exam-cranialnerves-note"]
    assert "negative, positive or not tested" in errors["exam-umn-hoffmann"]


def test_nul_bytes_and_over_long_text_are_refused_in_every_exam_field():
    _, errors = parse_exam_post(
        {
            "exam-gait-result": "abnormal",
            "exam-gait-note": "sh\x00uffling",
            "exam-cmrt-0-reflex": "x" * 600,
            "exam-rc-0-response": "r" * 250,
            "exam-cranialnerves-note": "n" * 501,
        }
    )

    assert "NUL" in errors["exam-gait-note"]
    assert "200 characters" in errors["exam-cmrt-0-reflex"]
    assert "200 characters" in errors["exam-rc-0-response"]
    assert "500 characters" in errors["exam-cranialnerves-note"]


def test_cranial_item_must_come_from_the_list_and_respect_its_sides():
    _, errors = parse_exam_post(
        {
            "exam-cranial-0-name": "Made-up manoeuvre",
            "exam-cranial-1-name": "Sphenobasilar",
            "exam-cranial-1-side": "left",
        }
    )

    assert "exam-cranial-0-name" in errors
    assert "midline" in errors["exam-cranial-1-side"]


def test_exam_context_analyses_the_state_with_the_given_table(db):
    context = exam_context(STATE, protocol_table=default_protocol_table())

    analysis = context["exam_screen"]["analysis"]["result"]
    assert context["exam_state"] is STATE
    assert context["exam_prefix"] == "exam"
    assert analysis["category"] == "II"
    assert analysis["side"] == "left"
    assert context["exam_screen"]["recheck"]["cleared"] == ["Arm fossa test"]
