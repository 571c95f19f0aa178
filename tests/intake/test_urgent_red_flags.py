"""An urgent red flag is acted on at once: the patient is told what to do now, with the clinic's
phone and the emergency number; the practitioners get an e-mail through the outbox; the flag
stays on the staff home until handled; the front desk sees that a flag is open, not what it is."""

import pytest
from django.urls import reverse

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.models import Intake, RedFlagFinding
from sotclinic.intake.services import Channel, intake_token, record_red_flag_handling, save_step
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    intake_sections,
    make_complete_intake,
    make_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

CAUDA_EQUINA = {"lb_saddle_numbness": "yes", "spine_bladder_bowel": "yes"}


@pytest.fixture
def clinic():
    location = make_location(phone="+44 117 496 0000")
    settings = ClinicSettings.load()
    settings.emergency_number = "999"
    settings.save()
    anna = make_practitioner(location, user=make_user(Role.PRACTITIONER, email="anna@clinic.test"))
    ben = make_practitioner(location, user=make_user(Role.PRACTITIONER, email="ben@clinic.test"))
    return {"location": location, "practitioners": [anna, ben]}


def _url(intake, step):
    return reverse("intake:step", args=[intake_token(intake), step])


def _answer_up_to_red_flags(client, red_flags):
    intake = make_intake(make_patient(first_name="Olivia", last_name="Hartley"))
    data = intake_sections(red_flags=red_flags)
    for step in ("about", "history", "complaints"):
        save_step(intake, step, data[step], actor=None, channel=Channel.LINK)
    response = client.post(_url(intake, "red_flags"), data["red_flags"])
    return intake, response


def test_urgent_answers_raise_the_flag_the_moment_the_step_is_saved(client, clinic):
    intake, response = _answer_up_to_red_flags(client, CAUDA_EQUINA)

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DRAFT
    finding = RedFlagFinding.objects.get(intake=intake)
    assert (finding.rule_id, finding.severity, finding.is_open) == (
        "lb_cauda_equina",
        "urgent",
        True,
    )


def test_the_patient_is_told_at_once_what_to_do_with_the_clinic_phone_and_emergency_number(
    client, clinic
):
    _, response = _answer_up_to_red_flags(client, CAUDA_EQUINA)

    page = client.get(response.url).content.decode()

    assert "Please act now" in page
    assert "emergency department" in page
    assert 'href="tel:999"' in page and "+44 117 496 0000" in page


def test_the_thank_you_page_gives_the_advice_instead_of_waiting_for_the_visit(client, clinic):
    intake = make_complete_intake(red_flags=CAUDA_EQUINA)

    page = client.get(reverse("intake:fill", args=[intake_token(intake)])).content.decode()

    assert "Please act now" in page and 'href="tel:999"' in page
    assert "go through it with you at your visit" not in page
    assert AccessLog.objects.filter(
        patient=intake.patient, action=Action.VIEW_INTAKE_STEP, detail=f"intake {intake.pk} done"
    ).exists()


def test_non_urgent_answers_give_no_advice_and_no_alert(client, clinic):
    _, response = _answer_up_to_red_flags(client, {"any_weight_loss": "yes"})

    page = client.get(response.url).content.decode()

    assert "Please act now" not in page
    assert not RedFlagFinding.objects.exists()
    assert not Message.objects.filter(kind="urgent_red_flag").exists()


def test_practitioners_are_emailed_through_the_outbox_without_clinical_content(client, clinic):
    _answer_up_to_red_flags(client, CAUDA_EQUINA)

    message = Message.objects.get(kind="urgent_red_flag")
    assert sorted(message.to) == ["anna@clinic.test", "ben@clinic.test"]
    assert "Olivia Hartley" in message.body and "/red-flags/" in message.body
    for clinical in ("cauda", "saddle", "bladder", "numb"):
        assert clinical not in (message.subject + message.body).lower()


def test_completing_the_intake_does_not_raise_or_alert_the_same_flag_twice(client, clinic):
    intake, _ = _answer_up_to_red_flags(client, CAUDA_EQUINA)
    data = intake_sections(red_flags=CAUDA_EQUINA)
    from sotclinic.intake.steps import applicable_steps

    intake.refresh_from_db()
    for step in applicable_steps(intake)[4:]:
        outcome = save_step(intake, step, data[step], actor=None, channel=Channel.LINK)

    assert outcome.completed

    assert RedFlagFinding.objects.filter(intake=intake, rule_id="lb_cauda_equina").count() == 1
    assert Message.objects.filter(kind="urgent_red_flag").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_does_not_fail_the_patients_answers(client, smtp_down):
    location = make_location(phone="+44 117 496 0000")
    make_practitioner(location, user=make_user(Role.PRACTITIONER, email="anna@clinic.test"))

    _, response = _answer_up_to_red_flags(client, CAUDA_EQUINA)

    assert response.status_code == 302
    assert RedFlagFinding.objects.filter(severity="urgent").exists()
    message = Message.objects.get(kind="urgent_red_flag")
    assert message.status == Message.Status.PENDING and message.last_error


# --- Staff home and patient page ------------------------------------------------------------


def test_practitioner_sees_the_open_flag_on_the_staff_home_until_it_is_handled(client, clinic):
    intake = make_complete_intake(red_flags=CAUDA_EQUINA)
    anna = clinic["practitioners"][0].user
    client.force_login(anna)

    before = client.get(reverse("home")).content.decode()
    finding = RedFlagFinding.objects.get(patient=intake.patient)
    record_red_flag_handling(finding.pk, anna, "referred")
    after = client.get(reverse("home")).content.decode()

    assert "Open red flags" in before and "Possible cauda equina syndrome" in before
    assert reverse("intake:red_flags", args=[intake.patient.pk]) in before
    assert "Open red flags" not in after


def test_front_desk_sees_that_a_flag_is_open_but_not_what_it_is(client, clinic):
    intake = make_complete_intake(red_flags=CAUDA_EQUINA)
    client.force_login(make_user(Role.FRONT_DESK))

    home = client.get(reverse("home")).content.decode()
    detail = client.get(reverse("patients:detail", args=[intake.patient.pk])).content.decode()

    assert "Flag open" in home and intake.patient.full_name in home
    assert "Red flag open on this patient" in detail
    for page in (home, detail):
        assert "cauda equina" not in page.lower() and "Urgent: same-day" not in page
        assert reverse("intake:red_flags", args=[intake.patient.pk]) not in page


# --- The emergency number setting -----------------------------------------------------------


def _page_form(number):
    from sotclinic.scheduling.forms import ClinicPageForm

    data = {"tagline": "", "opening_hours": "", "about_visit": "", "emergency_number": number}
    return ClinicPageForm(data, instance=ClinicSettings.load())


@pytest.mark.parametrize("bad", ["99a", "1", "12345", "+999", ""])
def test_an_emergency_number_that_is_not_2_to_4_digits_is_refused_with_a_message(clinic, bad):
    form = _page_form(bad)

    assert not form.is_valid()
    assert form.errors["emergency_number"]
    assert ClinicSettings.objects.get(pk=1).emergency_number == "999"


@pytest.mark.parametrize("good", ["999", "112", "911", "000"])
def test_the_clinic_sets_its_emergency_number_on_the_clinic_page_form(clinic, good):
    form = _page_form(good)

    assert form.is_valid(), form.errors
    form.save()
    assert ClinicSettings.objects.get(pk=1).emergency_number == good
