"""Precautions on the visit page and beside the suggested set-up in the exam's analysis panel:
shown to practitioners until acknowledged, acknowledgement recorded and audited."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.models import PrecautionAcknowledgement, PrecautionRecord
from tests.factories import (
    exam_state,
    make_complete_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    save_note,
)

pytestmark = pytest.mark.django_db

CATEGORY_II = {
    "exam-ind-arm_fossa_test": "left",
    "exam-ind-inguinal_ligament_sensitivity": "left",
}
CATEGORY_I = {
    "exam-ind-achilles_tension": "left",
    "exam-ind-gluteal_tension_asymmetry": "left",
}


@pytest.fixture
def doctor():
    return make_practitioner(make_location(name="Harbour Street"))


def _pregnant_visit(doctor, weeks=24):
    patient = make_patient()
    make_complete_intake(patient, pregnancy_weeks=weeks)
    return make_visit(doctor, patient=patient)


def _record(visit):
    return PrecautionRecord.objects.get(patient=visit.patient, code="pregnancy")


def test_analysis_panel_puts_the_precaution_beside_supine_for_category_two(client, doctor):
    visit = _pregnant_visit(doctor)
    client.force_login(doctor.user)

    html = client.post(
        "/exam/analyze?prefix=exam", {**CATEGORY_II, "exam-visit": str(visit.pk)}
    ).content.decode()

    assert "patient supine" in html
    assert "24 weeks pregnant: supine positioning precaution" in html
    assert "not yet acknowledged" in html


def test_analysis_panel_names_prone_for_category_one(client, doctor):
    visit = _pregnant_visit(doctor)
    client.force_login(doctor.user)

    html = client.post(
        "/exam/analyze?prefix=exam", {**CATEGORY_I, "exam-visit": str(visit.pk)}
    ).content.decode()

    assert "24 weeks pregnant: prone positioning precaution" in html


def test_before_20_weeks_the_precaution_shows_without_the_position(client, doctor):
    visit = _pregnant_visit(doctor, weeks=12)
    client.force_login(doctor.user)

    html = client.post(
        "/exam/analyze?prefix=exam", {**CATEGORY_II, "exam-visit": str(visit.pk)}
    ).content.decode()

    assert "12 weeks pregnant: precaution" in html
    assert "supine positioning precaution" not in html


def test_analysis_panel_without_a_visit_shows_no_precautions(client, doctor):
    _pregnant_visit(doctor)
    client.force_login(doctor.user)

    html = client.post("/exam/analyze?prefix=exam", CATEGORY_II).content.decode()

    assert "Precautions" not in html


def test_visit_page_shows_the_saved_exam_with_the_precaution_and_an_acknowledge_button(
    client, doctor
):
    visit = _pregnant_visit(doctor)
    save_note(
        visit,
        exam_state=exam_state(
            ("arm_fossa_test", "left"), ("inguinal_ligament_sensitivity", "left")
        ),
    )
    client.force_login(doctor.user)

    html = client.get(f"/staff/visits/{visit.pk}/").content.decode()

    assert "24 weeks pregnant: supine positioning precaution" in html
    assert "Acknowledge: 24 weeks pregnant" in html
    assert f'name="exam-visit" value="{visit.pk}"' in html


def test_acknowledging_records_who_and_when_and_writes_an_audit_row(client, doctor):
    visit = _pregnant_visit(doctor)
    record = _record(visit)
    client.force_login(doctor.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/precautions/{record.pk}/acknowledge/", follow=True
    )

    ack = PrecautionAcknowledgement.objects.get(precaution=record, visit=visit)
    assert ack.acknowledged_by == doctor.user
    assert AccessLog.objects.filter(
        patient=visit.patient, action=Action.ACKNOWLEDGE_PRECAUTION
    ).exists()
    html = response.content.decode()
    assert "Acknowledged by" in html
    assert "Acknowledge: 24 weeks pregnant" not in html


def test_a_second_acknowledgement_is_refused_with_a_message(client, doctor):
    visit = _pregnant_visit(doctor)
    record = _record(visit)
    client.force_login(doctor.user)
    url = f"/staff/visits/{visit.pk}/precautions/{record.pk}/acknowledge/"
    client.post(url)

    response = client.post(url)

    assert response.status_code == 400
    assert "already been acknowledged" in response.content.decode()
    assert PrecautionAcknowledgement.objects.filter(precaution=record).count() == 1


def test_practitioner_updates_the_weeks_from_the_visit_page(client, doctor):
    visit = _pregnant_visit(doctor)
    client.force_login(doctor.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/precautions/",
        {"code": "pregnancy", "weeks": "26", "present": "yes"},
        follow=True,
    )

    assert "26 weeks pregnant" in response.content.decode()
    latest = PrecautionRecord.objects.filter(patient=visit.patient, code="pregnancy").first()
    assert latest.weeks == 26 and latest.recorded_by == doctor.user and latest.visit == visit
    assert AccessLog.objects.filter(patient=visit.patient, action=Action.RECORD_PRECAUTION).exists()


def test_impossible_weeks_from_the_visit_page_get_a_400_and_nothing_is_written(client, doctor):
    visit = _pregnant_visit(doctor)
    client.force_login(doctor.user)
    before = PrecautionRecord.objects.count()

    response = client.post(
        f"/staff/visits/{visit.pk}/precautions/", {"code": "pregnancy", "weeks": "99"}
    )

    assert response.status_code == 400
    assert "1 to 42" in response.content.decode()
    assert PrecautionRecord.objects.count() == before


@pytest.mark.parametrize("path", ["precautions/", "precautions/{record}/acknowledge/"])
def test_front_desk_cannot_record_or_acknowledge_precautions(client, doctor, path):
    visit = _pregnant_visit(doctor)
    client.force_login(make_user(Role.FRONT_DESK))
    url = f"/staff/visits/{visit.pk}/" + path.format(record=_record(visit).pk)

    response = client.post(url, {"code": "pregnancy", "weeks": "30"})

    assert response.status_code == 403
    assert not PrecautionAcknowledgement.objects.exists()
    assert PrecautionRecord.objects.filter(origin="visit").count() == 0


def test_front_desk_pages_do_not_show_the_precaution(client, doctor):
    visit = _pregnant_visit(doctor)
    client.force_login(make_user(Role.FRONT_DESK))

    responses = [client.get(url) for url in ("/staff/", f"/staff/patients/{visit.patient_id}/")]

    assert [r.status_code for r in responses] == [200, 200]
    assert all("weeks pregnant" not in r.text and "Precaution" not in r.text for r in responses)
    assert client.get(f"/staff/visits/{visit.pk}/").status_code == 403
