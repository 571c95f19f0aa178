"""The precautions tier: its sourced table, the intake questions, the position rule, and the
services that record and acknowledge precautions."""

import copy
import json

import pytest
from django.db import IntegrityError
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.intake.forms import HistoryForm, RedFlagForm
from sotclinic.intake.models import PrecautionAcknowledgement, PrecautionRecord
from sotclinic.intake.precautions import (
    DATA_FILE,
    PrecautionTableError,
    default_precautions,
    parse_precautions,
    red_flag_answers_from_history,
)
from sotclinic.intake.selectors import visit_precautions
from sotclinic.intake.services import (
    PrecautionInvalid,
    acknowledge_precaution,
    intake_token,
    record_precaution,
)
from tests.factories import (
    intake_sections,
    make_complete_intake,
    make_intake,
    make_patient,
    make_user,
    make_visit,
)

REQUIRED = {"pregnancy", "postpartum", "anticoagulants", "osteoporosis_steroids"} | {
    "connective_tissue"
}


def _raw():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


# The table -----------------------------------------------------------------------------------


def test_table_has_every_precaution_the_method_needs_each_with_a_quoted_source():
    table = default_precautions()

    assert set(table) == REQUIRED
    for precaution in table.values():
        assert precaution.question and precaution.positioning
        assert precaution.sources, precaution.code
        assert all(s.quote and s.citation and s.url for s in precaution.sources)


def test_every_position_rule_is_sourced_or_marked_unverified():
    for entry in _raw()["precautions"]:
        for rule in entry["positions"]:
            assert rule["sources"] or rule.get("unverified"), (entry["code"], rule)


def test_an_entry_without_a_source_is_refused():
    raw = _raw()
    raw["precautions"][0]["sources"] = []

    with pytest.raises(PrecautionTableError, match="pregnancy"):
        parse_precautions(raw)


def test_a_position_rule_citing_an_unknown_source_is_refused():
    raw = copy.deepcopy(_raw())
    raw["precautions"][2]["positions"][0]["sources"] = ["nowhere"]

    with pytest.raises(PrecautionTableError, match="nowhere"):
        parse_precautions(raw)


def test_the_supine_hypotension_point_rests_on_the_anaesthesia_text():
    supine = next(r for r in default_precautions()["pregnancy"].positions if r.position == "supine")

    assert supine.from_weeks == 20 and "aa_shs" in supine.sources
    assert "20 weeks" in next(s for s in _raw()["sources"] if s["id"] == "aa_shs")["quote"]


# The position rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "position", "bears"),
    [
        (12, "supine", False),
        (19, "supine", False),
        (20, "supine", True),
        (24, "supine", True),
        (40, "supine", True),
        (19, "prone", False),
        (24, "prone", True),
        (None, "supine", True),  # weeks unknown: ask, do not assume early
        (24, None, False),  # no suggested set-up
        (24, "seated", False),
    ],
)
def test_pregnancy_bears_on_supine_and_prone_from_20_weeks(weeks, position, bears):
    assert default_precautions()["pregnancy"].bears_on(position, weeks) is bears


@pytest.mark.parametrize("code", sorted(REQUIRED - {"pregnancy"}))
@pytest.mark.parametrize("position", ["supine", "prone"])
def test_the_other_precautions_bear_on_both_blocking_positions(code, position):
    assert default_precautions()[code].bears_on(position) is True


def test_screen_words_name_the_weeks():
    assert default_precautions()["pregnancy"].describe(24) == "24 weeks pregnant"


# Intake capture ------------------------------------------------------------------------------


def _history(**changes):
    data = {**intake_sections()["history"], **changes}
    return {k: v for k, v in data.items() if v is not None}


def test_pregnancy_yes_needs_the_weeks():
    form = HistoryForm(_history(pregnant="yes"))

    assert not form.is_valid()
    assert "how many weeks" in form.errors["pregnancy_weeks"][0]


@pytest.mark.parametrize("weeks", ["0", "43", "-3", "twenty"])
def test_impossible_weeks_are_refused_with_a_message(weeks):
    form = HistoryForm(_history(pregnant="yes", pregnancy_weeks=weeks))

    assert not form.is_valid()
    assert "1 to 42" in form.errors["pregnancy_weeks"][0]


def test_weeks_are_dropped_when_not_pregnant():
    form = HistoryForm(_history(pregnant="no", pregnancy_weeks="24"))

    assert form.is_valid()
    assert form.section()["pregnancy_weeks"] is None


@pytest.mark.parametrize("complaint", ["low_back", "neck", "headache", "sleep"])
def test_pregnancy_is_asked_once_for_every_complaint(complaint):
    history = HistoryForm()
    safety = RedFlagForm(
        chosen=[complaint],
        answered=red_flag_answers_from_history(_history(pregnant="yes", pregnancy_weeks="24")),
    )

    pregnancy_fields = [
        name
        for form in (history, safety)
        for name, field in form.fields.items()
        if "pregnan" in str(field.label).lower()
    ]
    assert pregnancy_fields == ["pregnant", "pregnancy_weeks"]


@pytest.mark.django_db
def test_headache_screen_takes_pregnancy_from_the_history_step():
    intake = make_complete_intake(
        complaints=("headache",),
        pregnancy_weeks=24,
        red_flags={"hd_new_or_changed": "yes"},
    )

    assert "hd_new_in_pregnancy" in {f["rule"] for f in intake.screen_result["flags"]}


@pytest.mark.django_db
def test_completed_intake_stores_the_precautions_with_weeks():
    intake = make_complete_intake(pregnancy_weeks=24, precautions=("anticoagulants",))

    rows = {r.code: r for r in PrecautionRecord.objects.filter(intake=intake)}
    assert set(rows) == REQUIRED
    assert rows["pregnancy"].present and rows["pregnancy"].weeks == 24
    assert rows["anticoagulants"].present
    assert not rows["connective_tissue"].present


@pytest.mark.django_db
def test_patient_answers_the_history_step_with_weeks_through_the_link(client):
    intake = make_intake()
    data = _history(pregnant="yes", pregnancy_weeks="24")

    response = client.post(reverse("intake:step", args=[intake_token(intake), "history"]), data)

    intake.refresh_from_db()
    assert response.status_code == 302
    assert intake.health_history["pregnancy_weeks"] == 24


@pytest.mark.django_db
def test_history_step_shows_the_precaution_questions(client):
    intake = make_intake()

    page = client.get(reverse("intake:step", args=[intake_token(intake), "history"]))

    text = page.content.decode()
    for precaution in default_precautions().values():
        assert precaution.question.split("(")[0].strip() in text


# Recording and acknowledging -----------------------------------------------------------------


@pytest.fixture
def pregnant_visit():
    patient = make_patient()
    make_complete_intake(patient, pregnancy_weeks=24)
    return make_visit(patient=patient)


@pytest.mark.django_db
def test_visit_precautions_flag_supine_for_24_weeks(pregnant_visit):
    (item,) = visit_precautions(pregnant_visit.pk, "supine")

    assert item.headline == "24 weeks pregnant: supine positioning precaution"
    assert item.acknowledgement is None


@pytest.mark.django_db
def test_a_staff_update_of_the_weeks_replaces_the_intake_answer(pregnant_visit):
    doctor = pregnant_visit.practitioner.user

    record_precaution(
        pregnant_visit.patient_id, "pregnancy", doctor, weeks="18", visit_id=pregnant_visit.pk
    )

    (item,) = visit_precautions(pregnant_visit.pk, "supine")
    assert item.text == "18 weeks pregnant" and item.bears_on_position is False


@pytest.mark.django_db
def test_a_precaution_that_no_longer_applies_leaves_the_visit(pregnant_visit):
    doctor = pregnant_visit.practitioner.user

    record_precaution(pregnant_visit.patient_id, "pregnancy", doctor, present=False)

    assert visit_precautions(pregnant_visit.pk, "supine") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "weeks", "message"),
    [
        ("pregnancy", "0", "1 to 42"),
        ("pregnancy", "50", "1 to 42"),
        ("pregnancy", "", "weeks of pregnancy"),
        ("anticoagulants", "12", "not asked"),
        ("flying", "", "listed"),
    ],
)
def test_bad_precaution_input_is_refused_and_nothing_is_written(
    pregnant_visit, code, weeks, message
):
    before = PrecautionRecord.objects.count()

    with pytest.raises(PrecautionInvalid, match=message):
        record_precaution(
            pregnant_visit.patient_id, code, pregnant_visit.practitioner.user, weeks=weeks
        )

    assert PrecautionRecord.objects.count() == before


@pytest.mark.django_db
def test_acknowledgement_records_who_and_when_once_per_visit(pregnant_visit):
    doctor = pregnant_visit.practitioner.user
    (item,) = visit_precautions(pregnant_visit.pk, "supine")

    ack = acknowledge_precaution(item.record.pk, pregnant_visit.pk, doctor)

    assert ack.acknowledged_by == doctor and ack.acknowledged_at is not None
    (after,) = visit_precautions(pregnant_visit.pk, "supine")
    assert after.acknowledgement == ack
    with pytest.raises(PrecautionInvalid, match="already"):
        acknowledge_precaution(item.record.pk, pregnant_visit.pk, doctor)


@pytest.mark.django_db
def test_acknowledgement_holds_only_for_its_visit(pregnant_visit):
    doctor = pregnant_visit.practitioner.user
    (item,) = visit_precautions(pregnant_visit.pk, "supine")
    acknowledge_precaution(item.record.pk, pregnant_visit.pk, doctor)

    next_visit = make_visit(pregnant_visit.practitioner, patient=pregnant_visit.patient)

    (again,) = visit_precautions(next_visit.pk, "supine")
    assert again.acknowledgement is None


@pytest.mark.django_db
def test_a_precaution_cannot_be_acknowledged_on_another_patients_visit(pregnant_visit):
    (item,) = visit_precautions(pregnant_visit.pk, "supine")
    other = make_visit(pregnant_visit.practitioner)

    with pytest.raises(PrecautionInvalid, match="another patient"):
        acknowledge_precaution(item.record.pk, other.pk, pregnant_visit.practitioner.user)


@pytest.mark.django_db
def test_front_desk_cannot_record_or_acknowledge_a_precaution(pregnant_visit):
    desk = make_user(Role.FRONT_DESK)
    (item,) = visit_precautions(pregnant_visit.pk, "supine")

    with pytest.raises(PrecautionInvalid, match="practitioner"):
        acknowledge_precaution(item.record.pk, pregnant_visit.pk, desk)
    with pytest.raises(PrecautionInvalid, match="practitioner"):
        record_precaution(pregnant_visit.patient_id, "pregnancy", desk, weeks="30")


@pytest.mark.django_db
def test_the_database_holds_one_acknowledgement_per_precaution_per_visit(pregnant_visit):
    doctor = pregnant_visit.practitioner.user
    (item,) = visit_precautions(pregnant_visit.pk, "supine")
    acknowledge_precaution(item.record.pk, pregnant_visit.pk, doctor)

    with pytest.raises(IntegrityError):
        PrecautionAcknowledgement.objects.create(
            precaution=item.record, visit=pregnant_visit, acknowledged_by=doctor
        )
