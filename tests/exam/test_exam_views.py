"""The exam screen at /exam/new and its live analysis panel."""

import pytest
from django.template.loader import render_to_string
from django.utils.html import escape

from sotclinic.accounts.models import Role
from sotclinic.charting.exam import exam_context
from sotclinic.sot import CRANIAL_EVIDENCE, INDICATORS
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LEFT_CATEGORY_II = {
    "exam-ind-arm_fossa_test": "left",
    "exam-ind-inguinal_ligament_sensitivity": "left",
    "exam-ind-medial_knee_sensitivity": "",
}


@pytest.fixture
def practitioner(login):
    return login(make_user(Role.PRACTITIONER))


def test_practitioner_opens_a_blank_exam(practitioner):
    response = practitioner.get("/exam/new")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Arm fossa test" in html
    assert 'name="exam-ind-arm_fossa_test"' in html
    assert "No suggestion" in html
    assert "reliability" in html


@pytest.mark.parametrize("url", ["/exam/new", "/exam/settings"])
def test_front_desk_may_not_open_exam_pages(login, url):
    assert login(make_user(Role.FRONT_DESK)).get(url).status_code == 403


@pytest.mark.parametrize("url", ["/exam/new", "/exam/settings"])
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_analyze_partial_suggests_category_two_supine_for_left_indicators(practitioner):
    response = practitioner.post("/exam/analyze?prefix=exam", LEFT_CATEGORY_II)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suggested: Category II, left side." in html
    assert "patient supine" in html
    assert '<svg viewBox="0 0 400 400" role="img"' in html
    assert 'data-position="supine"' in html
    assert html.count('class="block block-') == 2
    assert 'hx-swap-oob="true"' in html and 'id="exam-recheck"' in html


def test_analyze_partial_leaves_the_recheck_list_alone_while_it_is_filled_in(practitioner):
    data = {**LEFT_CATEGORY_II, "exam-recheck-arm_fossa_test": "cleared", "exam-changed": "recheck"}

    html = practitioner.post("/exam/analyze?prefix=exam", data).content.decode()

    assert "hx-swap-oob" not in html
    assert "Cleared: Arm fossa test." in html


def test_analyze_partial_shows_conflict_and_indeterminate_plainly(practitioner):
    conflict = practitioner.post(
        "/exam/analyze", {"exam-ind-achilles_tension": "left", "exam-ind-arm_fossa_test": "left"}
    ).content.decode()
    nothing = practitioner.post("/exam/analyze", {"exam-ind-arm_fossa_test": ""}).content.decode()

    assert "Conflict: the findings point to more than one category" in conflict
    assert "<svg" not in conflict
    assert "No suggestion" in nothing


def test_analyze_partial_is_for_practitioners_only(login, client):
    front_desk = login(make_user(Role.FRONT_DESK))

    assert front_desk.post("/exam/analyze", LEFT_CATEGORY_II).status_code == 403


def test_analyze_partial_refuses_a_strange_prefix(practitioner):
    assert practitioner.post("/exam/analyze?prefix=<script>", {}).status_code == 400


def test_posting_the_form_without_javascript_reanalyses(practitioner):
    response = practitioner.post("/exam/new", LEFT_CATEGORY_II)

    html = response.content.decode()
    assert "Suggested: Category II, left side." in html
    assert 'value="left" checked' in html


def test_errors_are_shown_next_to_the_field_with_a_400(practitioner):
    response = practitioner.post(
        "/exam/new",
        {
            "exam-legcheck-prone_knees_straight-side": "left",
            "exam-legcheck-prone_knees_straight-mm": "lots",
            "exam-legcheck-prone_knees_straight-confidence": "high",
        },
    )

    assert response.status_code == 400
    assert "Enter the difference in millimetres as a number" in response.content.decode()


def test_cmrt_without_a_level_says_so_in_words(practitioner):
    data = {"exam-cmrt-0-line": "1", "exam-cmrt-0-area": "4", "exam-cmrt-0-side": "left"}

    html = practitioner.post("/exam/analyze", data).content.decode()

    assert "area 4, left: level not given → reflex area not given; trapezius not checked" in html


def test_include_renders_inside_another_form_with_its_prefix(rf):
    state = {"findings": {"indicators": [{"code": "sciatic_pain_points", "side": "right"}]}}
    request = rf.get("/")
    request.user = make_user(Role.PRACTITIONER)

    html = render_to_string(
        "exam/_exam.html", {"exam_state": state, "exam_prefix": "visit_exam"}, request=request
    )

    assert "<form" not in html
    assert 'name="visit_exam-ind-sciatic_pain_points" value="right" checked' in html
    assert 'hx-include="closest form"' in html
    assert "/exam/analyze?prefix=visit_exam" in html
    assert "Suggested: Category III, right side." in html


def test_include_accepts_a_precomputed_context(rf):
    context = exam_context(None, prefix="exam")

    html = render_to_string("exam/_exam.html", context)

    assert "No suggestion" in html


NEW_INDICATORS = (
    "dollar_sign",
    "crest_sign",
    "first_rib_tubercle_pain",
    "lateral_pelvic_sway",
    "antalgic_posture",
)


@pytest.mark.parametrize("code", NEW_INDICATORS)
def test_version_two_indicators_are_on_the_screen_with_their_examination_text(practitioner, code):
    indicator = INDICATORS[code]
    side = indicator.sides[0]

    html = practitioner.post("/exam/new", {f"exam-ind-{code}": side}).content.decode()

    assert f'name="exam-ind-{code}"' in html
    assert f'title="{escape(indicator.examination)}"' in html
    # Positive, it is offered for the re-check.
    assert f'name="exam-recheck-{code}"' in html


def test_cranial_procedures_of_version_two_are_offered_with_the_evidence_statement(practitioner):
    html = practitioner.get("/exam/new").content.decode()

    for name in ("Basic cranial I", "Basic cranial II", "Basic cranial III", "Antidote"):
        assert f'<option value="{name}">{name}</option>' in html
    assert '<option value="Cranial range of motion">Cranial range of motion</option>' in html
    assert escape(CRANIAL_EVIDENCE.statement) in html
