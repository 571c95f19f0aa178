"""The clinic's CMRT area → vertebral level table: stored, checked, audited and used by the exam."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.charting.models import ExamRecord
from sotclinic.exam.models import CmrtAreaLevels
from sotclinic.exam.selectors import current_cmrt_area_levels
from sotclinic.exam.services import CmrtLevelsConflict, save_cmrt_area_levels
from sotclinic.exam.state import parse_exam_post
from sotclinic.sot import FindingsError
from tests.factories import make_practitioner, make_user, make_visit, sign_visit

pytestmark = pytest.mark.django_db

URL = "/exam/settings"
CMRT_ROW = {
    "exam-cmrt-0-line": "2",
    "exam-cmrt-0-area": "3",
    "exam-cmrt-0-side": "left",
    "exam-cmrt-0-level": "",
}


@pytest.fixture
def user():
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def practitioner(login, user):
    return login(user)


def levels_form(version="", **levels):
    form = {"save_cmrt": "", "cmrt-version": str(version)}
    form.update({f"cmrt-area-{area[1:]}": level for area, level in levels.items()})
    return form


# --- service ------------------------------------------------------------------------------------


def test_without_a_clinic_table_no_area_has_a_level():
    assert current_cmrt_area_levels() == {}


def test_saving_levels_puts_them_in_force_and_records_what_they_replaced(user):
    first = save_cmrt_area_levels({"3": "T5"}, user, based_on=None)

    second = save_cmrt_area_levels({"3": "T6", "5": "L1"}, user, based_on=first.pk)

    assert current_cmrt_area_levels() == {3: "T6", 5: "L1"}
    assert second.previous_levels == {"3": "T5"}
    assert second.updated_by == user
    assert second.changes() == [(3, "T5", "T6"), (5, None, "L1")]


def test_a_level_the_engine_refuses_names_its_area_and_stores_nothing(user):
    with pytest.raises(FindingsError) as raised:
        save_cmrt_area_levels({"3": "T5", "4": "Z9", "9": "T1"}, user, based_on=None)

    paths = [path for path, _ in raised.value.errors]
    assert "area_levels.4" in paths
    assert "area_levels" in paths  # the unknown area 9
    assert CmrtAreaLevels.objects.count() == 0


def test_saving_over_a_version_someone_else_saved_meanwhile_is_refused(user):
    first = save_cmrt_area_levels({"3": "T5"}, user, based_on=None)
    save_cmrt_area_levels({"3": "T6"}, make_user(Role.PRACTITIONER), based_on=first.pk)

    with pytest.raises(CmrtLevelsConflict):
        save_cmrt_area_levels({"3": "T7"}, user, based_on=first.pk)

    assert current_cmrt_area_levels() == {3: "T6"}
    assert CmrtAreaLevels.objects.count() == 2


def test_saved_level_versions_cannot_be_changed_or_deleted(user):
    version = save_cmrt_area_levels({"3": "T5"}, user, based_on=None)

    version.levels = {"3": "T9"}
    with pytest.raises(ValueError):
        version.save()
    with pytest.raises(ValueError):
        version.delete()


# --- settings page ------------------------------------------------------------------------------


def test_settings_page_says_the_shipped_levels_are_empty_and_why(practitioner):
    html = practitioner.get(URL).content.decode()

    assert "The shipped levels are empty: no public source maps the CMRT areas" in html
    assert "do not use a generic spinal-nerve chart" in html
    assert 'name="cmrt-area-7"' in html
    assert "Never filled in" in html


def test_a_practitioner_saves_levels_and_the_history_shows_who_and_old_to_new(practitioner, user):
    response = practitioner.post(URL, levels_form(a3="T5"), follow=True)

    html = response.content.decode()
    assert "CMRT area levels saved" in html
    assert "area 3: no level → T5" in html
    assert "<option selected>T5</option>" in html
    assert CmrtAreaLevels.objects.get().updated_by == user


def test_a_bad_level_is_refused_with_400_next_to_its_field_and_nothing_saved(practitioner):
    response = practitioner.post(URL, levels_form(a3="T5", a4="Z9"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "The CMRT levels were not saved" in html
    assert "Must be a vertebral level such as T5." in html
    assert CmrtAreaLevels.objects.count() == 0


def test_a_form_opened_before_another_save_is_refused_with_409(practitioner, user):
    stale = levels_form(version="", a3="T7")
    save_cmrt_area_levels({"3": "T6"}, user, based_on=None)

    response = practitioner.post(URL, stale)

    assert response.status_code == 409
    assert "Someone saved the CMRT levels while you were editing" in response.content.decode()
    assert current_cmrt_area_levels() == {3: "T6"}


def test_a_garbled_version_field_is_refused_with_400(practitioner):
    response = practitioner.post(URL, levels_form(version="abc", a3="T5"))

    assert response.status_code == 400
    assert CmrtAreaLevels.objects.count() == 0


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PATIENT])
def test_only_practitioners_see_or_change_the_levels(login, role):
    client = login(make_user(role))

    assert client.get(URL).status_code == 403
    assert client.post(URL, levels_form(a3="T5")).status_code == 403
    assert CmrtAreaLevels.objects.count() == 0


# --- the exam uses the levels -------------------------------------------------------------------


def test_a_cmrt_row_without_a_level_takes_its_areas_level_from_the_clinic_table(user):
    save_cmrt_area_levels({"3": "T5"}, user, based_on=None)

    state, errors = parse_exam_post(CMRT_ROW)

    assert errors == {}
    assert state["cmrt"][0]["vertebral_level"] == "T5"


def test_a_level_chosen_on_the_row_wins_over_the_clinic_table(user):
    save_cmrt_area_levels({"3": "T5"}, user, based_on=None)

    state, _ = parse_exam_post({**CMRT_ROW, "exam-cmrt-0-level": "T9"})

    assert state["cmrt"][0]["vertebral_level"] == "T9"


def test_the_exam_screen_shows_each_areas_clinic_level(practitioner, user):
    save_cmrt_area_levels({"3": "T5"}, user, based_on=None)

    html = practitioner.get("/exam/new").content.decode()

    assert '<option value="3">3 (T5)</option>' in html


def test_a_signed_note_keeps_its_level_after_the_table_changes(client, user):
    first = save_cmrt_area_levels({"3": "T5"}, user, based_on=None)
    doctor = make_practitioner()
    visit = make_visit(doctor)
    state, _ = parse_exam_post(CMRT_ROW)
    sign_visit(visit, exam_state=state)
    stored = ExamRecord.objects.get(note__visit=visit).state

    save_cmrt_area_levels({"3": "T6"}, user, based_on=first.pk)

    assert ExamRecord.objects.get(note__visit=visit).state == stored
    client.force_login(doctor.user)
    html = client.get(f"/staff/visits/{visit.pk}/").content.decode()
    assert "area 3, left: T5" in html
    assert "area 3, left: T6" not in html
