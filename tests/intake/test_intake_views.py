import datetime as dt
import time

import pytest
from django.core import signing
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.models import Intake, RedFlagFinding
from sotclinic.intake.services import (
    INTAKE_SALT,
    Channel,
    intake_link_for,
    intake_token,
    save_step,
)
from tests.factories import (
    intake_sections,
    make_appointment,
    make_complete_intake,
    make_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db


def _url(intake, step):
    return reverse("intake:step", args=[intake_token(intake), step])


def _post_steps(client, intake, **sections):
    data = intake_sections(**sections)
    about = {**data["about"]}
    client.post(_url(intake, "about"), about)
    client.post(_url(intake, "history"), data["history"])
    complaints = {"complaints": data["complaints"]["complaints"]}
    for c, detail in data["complaints"]["details"].items():
        complaints.update({f"{c}_onset": detail["onset"], f"{c}_severity": detail["severity"]})
    client.post(_url(intake, "complaints"), complaints)
    client.post(_url(intake, "red_flags"), data["red_flags"])
    answers = {}
    for instrument_id, entry in data["questionnaires"].items():
        for item_id, value in entry["answers"].items():
            if value is True:
                answers[f"{instrument_id}__{item_id}"] = "on"
            elif value is not False:
                answers[f"{instrument_id}__{item_id}"] = str(value)
    client.post(_url(intake, "questionnaires"), answers)
    return client.post(_url(intake, "consent"), {"consent": "on"})


def test_patient_completes_intake_through_the_link(client):
    intake = make_intake()

    response = _post_steps(client, intake, red_flags={"lb_saddle_numbness": "yes"})

    intake.refresh_from_db()
    assert response.status_code == 302
    assert intake.status == "complete"
    assert RedFlagFinding.objects.filter(patient=intake.patient, rule_id="lb_cauda_equina").exists()
    assert client.get(response.url).context["intake"] == intake
    assert AccessLog.objects.filter(patient=intake.patient, action=Action.INTAKE_COMPLETE).exists()


def test_opening_the_link_goes_to_the_first_unfinished_step(client):
    intake = make_intake()
    save_step(intake, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)

    token = intake_token(intake)
    response = client.get(reverse("intake:fill", args=[token]))

    assert response.status_code == 302
    assert response.url == reverse("intake:step", args=[token, "history"])


def test_tampered_link_is_refused_with_a_clear_page(client):
    intake = make_intake()
    token = intake_token(intake)

    response = client.get(reverse("intake:fill", args=[token[:-2] + "xx"]))

    assert response.status_code == 404
    assert "not valid or has expired" in response.content.decode()


class _SignedLongAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time() - dt.timedelta(days=61).total_seconds()))


def test_expired_link_is_refused(client):
    intake = make_intake()
    stale = _SignedLongAgo(salt=INTAKE_SALT).sign_object(
        {"i": intake.pk, "n": intake.nonce}, compress=True
    )

    response = client.get(reverse("intake:fill", args=[stale]))

    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_link_of_one_patient_never_opens_another_intake(client):
    mine, other = make_intake(), make_intake()

    response = client.get(_url(mine, "about"))

    assert response.context["intake"] == mine
    assert other.patient.last_name not in response.content.decode()


def test_revoked_link_no_longer_works(client):
    intake = make_intake()
    token = intake_token(intake)
    Intake.objects.filter(pk=intake.pk).update(nonce="new")

    assert client.get(reverse("intake:fill", args=[token])).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "This field is required."),
        ("date_of_birth", "not a date", "Enter a valid date."),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("email", "nobody-at-example", "Enter a valid email address."),
    ],
)
def test_bad_demographics_get_a_message_next_to_the_field(client, field, value, message):
    intake = make_intake()
    data = {**intake_sections()["about"], field: value}

    response = client.post(_url(intake, "about"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    intake.refresh_from_db()
    assert intake.steps_done == []


def test_missing_contact_asks_for_phone_or_email(client):
    intake = make_intake()
    data = {**intake_sections()["about"], "email": "", "phone": ""}

    response = client.post(_url(intake, "about"), data)

    assert "phone number or an e-mail" in response.context["form"].errors["phone"][0]


@pytest.mark.parametrize(
    "field",
    ["conditions", "surgeries", "medications", "pregnant", "postpartum", "anticoagulants"]
    + ["osteoporosis_steroids", "connective_tissue"],
)
def test_each_missing_history_answer_gets_its_own_message(client, field):
    intake = make_intake()
    data = {**intake_sections()["history"]}
    del data[field]

    response = client.post(_url(intake, "history"), data)

    assert response.status_code == 400 and list(response.context["form"].errors) == [field]


def test_complaint_without_onset_or_with_bad_severity_gets_messages_per_field(client):
    intake = make_intake()

    response = client.post(
        _url(intake, "complaints"),
        {"complaints": ["low_back", "neck"], "low_back_severity": "11", "neck_severity": "3"},
    )

    errors = response.context["form"].errors
    assert set(errors) == {"low_back_onset", "low_back_severity", "neck_onset"}
    assert "less than or equal to 10" in errors["low_back_severity"][0]


def test_no_complaint_chosen_is_refused(client):
    intake = make_intake()

    response = client.post(_url(intake, "complaints"), {})

    assert response.context["form"].errors["complaints"] == ["Choose at least one."]


def test_unanswered_red_flag_question_is_named(client):
    intake = make_intake()
    save_step(
        intake, "complaints", intake_sections()["complaints"], actor=None, channel=Channel.LINK
    )
    answers = intake_sections()["red_flags"]
    del answers["lb_saddle_numbness"]

    response = client.post(_url(intake, "red_flags"), {**answers, "any_weight_loss": "maybe"})

    errors = response.context["form"].errors
    assert set(errors) == {"lb_saddle_numbness", "any_weight_loss"}
    assert errors["lb_saddle_numbness"] == ["Answer yes, no or not sure."]


def test_questionnaire_needs_the_pain_rating(client):
    intake = make_intake()
    save_step(
        intake, "complaints", intake_sections()["complaints"], actor=None, channel=Channel.LINK
    )

    response = client.post(
        _url(intake, "questionnaires"), {"rmdq__rmdq_01": "on", "nprs__nprs_pain": "12"}
    )

    errors = response.context["form"].errors
    assert list(errors) == ["nprs__nprs_pain"]


def test_questionnaire_items_render_from_the_data(client):
    intake = make_intake()
    save_step(
        intake, "complaints", intake_sections()["complaints"], actor=None, channel=Channel.LINK
    )

    page = client.get(_url(intake, "questionnaires")).content.decode()

    assert "I stay at home most of the time because of my back." in page
    assert "Worst pain imaginable" in page


def test_consent_is_required(client):
    intake = make_intake()

    response = client.post(_url(intake, "consent"), {})

    assert "Tick the box" in response.context["form"].errors["consent"][0]
    intake.refresh_from_db()
    assert intake.status == "draft"


def test_sending_before_all_steps_returns_to_the_missing_step(client):
    intake = make_intake()
    save_step(intake, "about", intake_sections()["about"], actor=None, channel=Channel.LINK)

    url = _url(intake, "consent")
    response = client.post(url, {"consent": "on"})

    intake.refresh_from_db()
    # The same link, at the missing step (a new token could carry a later timestamp).
    assert response.status_code == 302 and response.url == url.replace("/consent/", "/history/")
    assert intake.status == "draft"


def test_staff_starts_kiosk_and_tablet_shows_only_that_intake(client):
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient(first_name="Kira")
    client.force_login(desk)

    response = client.post(reverse("intake:start_kiosk", args=[patient.pk]))
    page = client.get(reverse("intake:kiosk"), follow=True)

    assert response.url == reverse("intake:kiosk")
    assert page.context["intake"].patient == patient
    assert page.context["user"].is_anonymous  # the staff session ended on the tablet
    assert client.get(reverse("home")).status_code == 302


def test_kiosk_without_a_session_shows_a_clear_message(client):
    response = client.get(reverse("intake:kiosk"))

    assert response.status_code == 404 and "front desk" in response.content.decode()


def test_patient_cannot_start_a_kiosk_intake(client):
    client.force_login(make_user(Role.PATIENT))

    response = client.post(reverse("intake:start_kiosk", args=[make_patient().pk]))

    assert response.status_code == 403


def test_intake_link_for_appointment_is_a_path_to_the_patients_intake(client):
    doctor = make_practitioner(make_location())
    appointment = make_appointment(doctor, dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC))

    path = intake_link_for(appointment)

    assert path.startswith("/intake/")
    assert intake_link_for(appointment) == path  # the same draft, not a new one each time
    response = client.get(path, follow=True)
    assert response.context["intake"].patient == appointment.patient


def test_completed_intake_link_says_thank_you():
    intake = make_complete_intake()
    from django.test import Client

    response = Client().get(reverse("intake:fill", args=[intake_token(intake)]))

    assert response.status_code == 200 and "Thank you" in response.content.decode()
