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
        "leg_length": {"prone_short_side": "left", "difference_mm": 6},
    },
    "recheck": {"arm_fossa_test": "cleared", "inguinal_ligament_sensitivity": "present"},
    "cmrt": [{"line": 2, "position": 3, "side": "right", "level": "T5", "area": "stomach"}],
    "cranial": [{"name": "Temporomandibular joint (TMJ)", "side": "left", "response": "improved"}],
}


def form_data_for(state, prefix="exam"):
    """What a browser posts for a given state (the inverse of parse_exam_post)."""
    fields = ExamFields(prefix)
    data = {}
    for entry in state["findings"]["indicators"]:
        data[fields.indicator(entry["code"])] = entry["side"]
    leg = state["findings"].get("leg_length")
    if leg:
        data[fields.leg_side] = leg["prone_short_side"]
        data[fields.leg_mm] = str(leg.get("difference_mm", ""))
    for code, value in state["recheck"].items():
        data[fields.recheck(code)] = value
    for i, row in enumerate(state["cmrt"]):
        for part, value in row.items():
            data[fields.cmrt(i, part)] = "" if value is None else str(value)
    for i, row in enumerate(state["cranial"]):
        for part, value in row.items():
            data[fields.cranial(i, part)] = "" if value is None else str(value)
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
    assert state == {"findings": {"indicators": []}, "recheck": {}, "cmrt": [], "cranial": []}


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


def test_cmrt_row_takes_the_area_from_the_table_and_flags_bad_rows():
    state, errors = parse_exam_post(
        {
            "exam-cmrt-0-line": "1",
            "exam-cmrt-0-position": "1",
            "exam-cmrt-0-side": "left",
            "exam-cmrt-0-level": "T8",
            "exam-cmrt-1-line": "9",
            "exam-cmrt-1-side": "up",
        }
    )

    assert state["cmrt"] == [
        {"line": 1, "position": 1, "side": "left", "level": "T8", "area": "liver"}
    ]
    assert set(errors) == {"exam-cmrt-1-line", "exam-cmrt-1-position", "exam-cmrt-1-side"}


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
