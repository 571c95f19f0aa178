"""The protocol-table settings page and the table the engine uses."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.exam.models import ProtocolTableOverride
from sotclinic.exam.protocol_form import values_from_table
from sotclinic.exam.selectors import current_protocol_table
from sotclinic.sot import default_protocol_table
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/exam/settings"


@pytest.fixture
def user():
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def practitioner(login, user):
    return login(user)


def default_form():
    return {**values_from_table(default_protocol_table()), "save": ""}


def test_without_an_override_the_default_table_is_in_force():
    assert current_protocol_table() == default_protocol_table()


def test_settings_page_shows_the_table(practitioner):
    response = practitioner.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="II-position"' in html
    assert "under the pelvis from behind, at greater-trochanter / acetabulum level" in html
    assert "Never changed" in html


def test_editing_an_angle_saves_a_new_version_that_the_engine_uses(practitioner, user):
    form = default_form()
    form["II-left-0-angle_degrees"] = "30"
    form["II-right-0-angle_degrees"] = "30"

    response = practitioner.post(URL, form, follow=True)

    assert "Protocol table saved" in response.content.decode()
    version = ProtocolTableOverride.objects.get()
    assert version.updated_by == user
    blocks = current_protocol_table().category("II").blocks["left"]
    assert blocks[0].angle_degrees == 30
    analysis = practitioner.post("/exam/analyze", {"exam-ind-arm_fossa_test": "left"})
    assert "30°" in analysis.content.decode()


def test_invalid_angle_is_shown_next_to_the_field_and_nothing_is_saved(practitioner):
    form = default_form()
    form["I-right-1-angle_degrees"] = "120"

    response = practitioner.post(URL, form)

    html = response.content.decode()
    assert "The table was not saved" in html
    assert "Must be a number from 0 to 90." in html
    assert 'name="I-right-1-angle_degrees" value="120"' in html
    assert ProtocolTableOverride.objects.count() == 0


def test_empty_landmark_is_named_on_its_row(practitioner):
    form = default_form()
    form["III-left-0-landmark"] = ""

    html = practitioner.post(URL, form).content.decode()

    assert "Must be a non-empty string." in html
    assert ProtocolTableOverride.objects.count() == 0


def test_removing_a_block_on_one_side_warns_about_the_mirror(practitioner):
    form = default_form()
    for part in ("landmark", "angle_degrees", "source"):
        form[f"I-left-1-{part}"] = ""

    html = practitioner.post(URL, form, follow=True).content.decode()

    assert len(current_protocol_table().category("I").blocks["left"]) == 1
    assert "Left and right differ" in html


def test_reset_puts_the_defaults_back_and_keeps_the_history(practitioner):
    form = default_form()
    form["II-position"] = "prone"
    practitioner.post(URL, form)
    assert current_protocol_table().category("II").position == "prone"

    response = practitioner.post(URL, {"reset": ""}, follow=True)

    assert current_protocol_table() == default_protocol_table()
    assert ProtocolTableOverride.objects.count() == 2
    assert "reset to defaults" in response.content.decode()


def test_saved_versions_cannot_be_changed_or_deleted(user):
    version = ProtocolTableOverride.objects.create(table=None, updated_by=user)

    with pytest.raises(ValueError):
        version.save()
    with pytest.raises(ValueError):
        version.delete()


def test_a_clinic_table_saved_before_the_defaults_changed_stays_in_force(user):
    own = default_protocol_table().as_dict()
    own["categories"]["I"]["blocks"]["right"][0]["landmark"] = "our own landmark"
    ProtocolTableOverride.objects.create(table=own, updated_by=user)

    table = current_protocol_table()

    assert table != default_protocol_table()
    assert table.category("I").blocks["right"][0].landmark == "our own landmark"
