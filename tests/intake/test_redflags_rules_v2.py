"""The added red-flag rules: cauda equina pathway items, ataxia in the arterial rule, headache
with fever or cancer alone, diabetes as a spinal infection risk, and the sleep screen (apnoea,
low mood, self-harm with its own advice to the patient), each graded with its severity."""

import copy

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.intake.models import RedFlagFinding
from sotclinic.intake.redflags import (
    RedFlagError,
    default_table,
    parse_table,
    questions_for,
    screen,
)
from sotclinic.intake.services import Channel, intake_token, save_step
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    intake_sections,
    make_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)
from tests.intake.test_redflags_table import raw_files

TABLE = default_table()


def severities(result):
    return {flag.rule_id: flag.severity.id for flag in result.flags}


# --- cauda equina: the national pathway's items ------------------------------------------


@pytest.mark.parametrize("item", ["lb_urine_flow_feeling", "lb_rectal_fullness"])
def test_each_pathway_bladder_or_bowel_sensation_item_alone_is_urgent_cauda_equina(item):
    result = screen({item: "yes"}, age=45, complaints={"low_back"})

    assert severities(result) == {"lb_cauda_equina": "urgent"}
    assert "girft_ces2023" in {s.id for s in result.flags[0].sources}


def test_new_sexual_dysfunction_alone_is_referred_and_urgent_with_another_cauda_equina_item():
    alone = screen({"lb_sexual_dysfunction": "yes"}, age=45, complaints={"low_back"})
    with_saddle = screen(
        {"lb_sexual_dysfunction": "yes", "lb_saddle_numbness": "yes"},
        age=45,
        complaints={"low_back"},
    )

    assert severities(alone) == {"lb_cauda_equina_sexual": "refer"}
    assert with_saddle.highest_severity.id == "urgent"


def test_the_pathway_items_answered_no_raise_nothing():
    answers = dict.fromkeys(("lb_urine_flow_feeling", "lb_rectal_fullness"), "no")
    answers["lb_sexual_dysfunction"] = "no"

    assert not screen(answers, age=45, complaints={"low_back"}).positive


@pytest.mark.parametrize(
    "question", ["lb_urine_flow_feeling", "lb_rectal_fullness", "lb_sexual_dysfunction"]
)
def test_the_pathway_items_ask_about_the_last_14_days_and_only_for_back_pain(question):
    assert "last 14 days" in TABLE.question(question).text
    assert question in {q.id for q in questions_for({"low_back"})}
    assert question not in {q.id for q in questions_for({"neck", "headache", "sleep"})}


# --- cervical arterial dysfunction: ataxia ---------------------------------------------


def test_loss_of_coordination_with_neck_pain_is_urgent_arterial_and_no_is_silent():
    yes = screen({"nk_ataxia": "yes"}, age=40, complaints={"neck"})
    no = screen({"nk_ataxia": "no"}, age=40, complaints={"neck"})

    assert severities(yes) == {"nk_arterial_neuro": "urgent"}
    assert not no.positive
    assert (
        "ataxia" in TABLE.rules[[r.id for r in TABLE.rules].index("nk_arterial_neuro")].explanation
    )


# --- headache: SNNOOP10 fever and neoplasm history on their own ------------------------


def test_fever_alone_refers_a_headache_and_with_a_stiff_neck_it_is_urgent():
    fever = screen(
        {"any_fever_unwell": "yes", "hd_neck_stiffness": "no", "hd_worsening": "no"},
        age=30,
        complaints={"headache"},
    )
    meningism = screen(
        {"any_fever_unwell": "yes", "hd_neck_stiffness": "yes"}, age=30, complaints={"headache"}
    )

    assert severities(fever) == {"hd_systemic_fever": "refer"}
    assert meningism.highest_severity.id == "urgent"


def test_a_history_of_cancer_alone_refers_a_headache_and_no_history_does_not():
    cancer = screen({"any_cancer_history": "yes"}, age=40, complaints={"headache"})
    none = screen({"any_cancer_history": "no"}, age=40, complaints={"headache"})

    assert severities(cancer) == {"hd_cancer_history": "refer"}
    assert not none.positive


# --- spinal infection: diabetes ----------------------------------------------------------


@pytest.mark.parametrize("complaint", ["low_back", "neck"])
def test_diabetes_is_a_spinal_infection_risk_for_review_with_back_or_neck_pain(complaint):
    yes = screen({"spine_diabetes": "yes"}, age=50, complaints={complaint})
    no = screen({"spine_diabetes": "no"}, age=50, complaints={complaint})

    assert severities(yes) == {"spine_infection_risk": "review"}
    assert not no.positive


@pytest.mark.parametrize("complaint", ["low_back", "neck"])
def test_a_recent_spinal_operation_or_injection_is_a_spinal_infection_risk_for_review(complaint):
    yes = screen({"spine_recent_procedure": "yes"}, age=50, complaints={complaint})
    no = screen({"spine_recent_procedure": "no"}, age=50, complaints={complaint})

    assert severities(yes) == {"spine_infection_risk": "review"}
    assert not no.positive


@pytest.mark.parametrize("complaint", ["low_back", "neck"])
def test_a_recent_soft_tissue_or_blood_infection_with_spinal_pain_is_referred(complaint):
    yes = screen({"spine_recent_infection": "yes"}, age=50, complaints={complaint})
    no = screen({"spine_recent_infection": "no"}, age=50, complaints={complaint})

    assert severities(yes) == {"spine_infection_recent": "refer"}
    assert not no.positive


def test_diabetes_is_not_asked_for_a_headache_or_sleep_complaint():
    assert "spine_diabetes" not in {q.id for q in questions_for({"headache", "sleep"})}


# --- infants and children ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "fires"), [(0, True), (1, True), (2, False), (3, False), (None, None)]
)
@pytest.mark.parametrize("complaint", ["low_back", "neck", "headache", "sleep"])
def test_a_child_under_two_is_flagged_for_review_whatever_the_complaint(age, fires, complaint):
    result = screen({}, age=age, complaints={complaint})

    if fires is None:
        assert "child_under_two" in [u.rule_id for u in result.undetermined]
    else:
        assert ("child_under_two" in severities(result)) is fires
    if fires:
        assert severities(result)["child_under_two"] == "review"


def test_the_under_two_rule_names_the_manipulation_policy_and_craniosynostosis():
    rule = next(rule for rule in TABLE.rules if rule.id == "child_under_two")

    assert "craniosynostosis" in rule.explanation
    assert [s.id for s in rule.sources] == ["cba_interim2019", "bnssg_craniosynostosis"]


# --- sleep: apnoea, low mood, self-harm --------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        ({"sl_breathing_pauses": "yes"}, True),
        ({"sl_loud_snoring": "yes", "sl_daytime_sleepy": "yes"}, True),
        ({"sl_loud_snoring": "yes", "sl_high_blood_pressure": "yes"}, True),
        (
            {
                "sl_loud_snoring": "yes",
                "sl_daytime_sleepy": "no",
                "sl_high_blood_pressure": "no",
                "sl_breathing_pauses": "no",
            },
            False,
        ),
        (
            {
                "sl_loud_snoring": "no",
                "sl_daytime_sleepy": "yes",
                "sl_high_blood_pressure": "yes",
                "sl_breathing_pauses": "no",
            },
            False,
        ),
    ],
)
def test_observed_apnoea_or_loud_snoring_with_tiredness_or_blood_pressure_is_referred(
    answers, fires
):
    result = screen(answers, age=50, complaints={"sleep"})

    assert ("sl_possible_sleep_apnoea" in severities(result)) is fires
    if fires:
        assert severities(result)["sl_possible_sleep_apnoea"] == "refer"


@pytest.mark.parametrize("item", ["sl_low_interest", "sl_low_mood"])
def test_either_low_mood_item_is_referred_but_not_urgent(item):
    result = screen({item: "yes", "sl_self_harm": "no"}, age=30, complaints={"sleep"})

    assert severities(result) == {"sl_low_mood": "refer"}


def test_a_self_harm_answer_is_urgent_with_its_own_sourced_advice_to_the_patient():
    result = screen({"sl_self_harm": "yes"}, age=30, complaints={"sleep"})
    rule = next(rule for rule in TABLE.rules if rule.id == "sl_self_harm")

    assert severities(result) == {"sl_self_harm": "urgent"}
    assert "emergency services" in rule.patient_advice and "116 123" in rule.patient_advice
    assert [s.id for s in rule.patient_advice_sources] == ["mhf_suicidal_thoughts"]


def test_the_sleep_screen_is_not_asked_for_back_neck_or_headache():
    asked = {q.id for q in questions_for({"low_back", "neck", "headache"})}

    assert not any(question.startswith("sl_") for question in asked)


# --- the table: sources quoted, advice only on urgent rules ------------------------------

ADDED_SOURCES = [
    "girft_ces2023",
    "yusuf2019",
    "chung2008",
    "ats_stopbang",
    "phq2_cde",
    "mhf_suicidal_thoughts",
    "do2019",
    "ajem2019",
    "yoon2024",
    "unanswered_5d3n",
    "cba_interim2019",
    "bnssg_craniosynostosis",
]


@pytest.mark.parametrize("source_id", ADDED_SOURCES)
def test_each_added_source_quotes_the_passage_that_was_read(source_id):
    source = TABLE.sources[source_id]

    assert len(source.quote) > 40 and source.url.startswith("https://")


def test_a_secondary_source_is_marked_as_such():
    assert TABLE.sources["ats_stopbang"].secondary is True
    assert TABLE.sources["unanswered_5d3n"].secondary is True
    assert TABLE.sources["girft_ces2023"].secondary is False


def test_a_source_whose_secondary_mark_is_not_true_or_false_is_refused():
    sources, questions, rules = raw_files()
    sources["sources"][0]["secondary"] = "yes"

    with pytest.raises(RedFlagError, match=r"secondary: must be true or false"):
        parse_table(sources, questions, rules)


def test_patient_advice_on_a_rule_that_is_not_urgent_is_refused():
    sources, questions, rules = raw_files()
    rules = copy.deepcopy(rules)
    low_mood = next(rule for rule in rules["rules"] if rule["id"] == "sl_low_mood")
    low_mood["patient_advice"] = "Talk to your doctor."
    low_mood["patient_advice_sources"] = ["phq2_cde"]

    with pytest.raises(RedFlagError, match="sl_low_mood.patient_advice"):
        parse_table(sources, questions, rules)


def test_rule_advice_without_a_source_is_refused():
    sources, questions, rules = raw_files()
    self_harm = next(rule for rule in rules["rules"] if rule["id"] == "sl_self_harm")
    del self_harm["patient_advice_sources"]

    with pytest.raises(RedFlagError, match="sl_self_harm.patient_advice_sources"):
        parse_table(sources, questions, rules)


# --- the intake pages --------------------------------------------------------------------


@pytest.fixture
def clinic(db):
    location = make_location(phone="+44 117 496 0000")
    settings = ClinicSettings.load()
    settings.emergency_number = "112"
    settings.save()
    make_practitioner(location, user=make_user(Role.PRACTITIONER, email="anna@clinic.test"))
    return location


def _intake_with_complaint(complaint):
    intake = make_intake(make_patient(first_name="Olivia", last_name="Hartley"))
    data = intake_sections(complaints=(complaint,))
    for step in ("about", "history", "complaints"):
        save_step(intake, step, data[step], actor=None, channel=Channel.LINK)
    return intake


def _url(intake, step):
    return reverse("intake:step", args=[intake_token(intake), step])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("complaint", "shown", "not_shown"),
    [
        ("sleep", "stop breathing, choke or gasp", "bowel is full"),
        ("low_back", "bowel is full", "stop breathing, choke or gasp"),
        ("neck", "walking as if drunk", "bowel is full"),
    ],
)
def test_the_safety_step_shows_the_new_questions_only_for_their_complaint(
    client, clinic, complaint, shown, not_shown
):
    intake = _intake_with_complaint(complaint)

    page = client.get(_url(intake, "red_flags")).content.decode()

    assert shown in page
    assert not_shown not in page


@pytest.mark.django_db
def test_a_self_harm_answer_tells_the_patient_where_to_get_help_now_and_alerts_the_clinic(
    client, clinic
):
    intake = _intake_with_complaint("sleep")
    answers = {q.id: "no" for q in questions_for({"sleep"})}
    answers["sl_self_harm"] = "yes"

    response = client.post(_url(intake, "red_flags"), answers)
    page = client.get(response.url).content.decode()

    assert "116 123" in page and 'href="tel:112"' in page
    assert "A&amp;E" in page or "emergency department" in page
    finding = RedFlagFinding.objects.get(intake=intake)
    assert (finding.rule_id, finding.severity) == ("sl_self_harm", "urgent")
    message = Message.objects.get(kind="urgent_red_flag")
    assert "harm" not in (message.subject + message.body).lower()


@pytest.mark.django_db
def test_an_invalid_answer_to_a_new_question_is_refused_with_a_message_and_nothing_raised(
    client, clinic
):
    intake = _intake_with_complaint("sleep")
    answers = {q.id: "no" for q in questions_for({"sleep"})}
    answers["sl_self_harm"] = "maybe"

    response = client.post(_url(intake, "red_flags"), answers)

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not RedFlagFinding.objects.exists()
