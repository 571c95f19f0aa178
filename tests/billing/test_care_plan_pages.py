"""Care plan pages over real HTTP: roles, the access log, prescribing from a template, signing
on the tablet, booking with conflicts, the signed PDF, adherence and the behind worklist."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from sotclinic import signatures
from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import care_plans
from sotclinic.billing.care_plan_adherence import (
    patient_plans,
    plan_adherence,
    plans_falling_behind,
)
from sotclinic.billing.models import CarePlan, CarePlanSignature, CarePlanTemplate
from sotclinic.scheduling.models import Appointment
from tests.billing.plan_setup import CORRECTIVE, plan_clinic
from tests.billing.test_care_plans import SVG, prescribe, signed
from tests.factories import make_appointment, make_patient, make_user, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return plan_clinic()


def plan_post(clinic, **extra):
    data = {
        "name": "Corrective",
        "practitioner": clinic.practitioner.pk,
        "location": clinic.location.pk,
        "appointment_type": clinic.kind.pk,
        "start_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "phase1_per_week": "3",
        "phase1_weeks": "2",
        "phase2_per_week": "2",
        "phase2_weeks": "3",
        "reexam_visits": "12",
        "services": [clinic.service.pk],
        "goal1_instrument": "nprs",
        "goal1_target": "3",
    }
    return {**data, **extra}


def test_a_practitioner_keeps_templates_front_desk_may_not(client, clinic):
    client.force_login(clinic.desk)
    assert client.get(reverse("care_plans:templates")).status_code == 403
    client.force_login(clinic.practitioner.user)
    data = {
        "name": "Corrective (example of the clinic's own schedule)",
        "phase1_per_week": "3",
        "phase1_weeks": "4",
        "phase2_per_week": "2",
        "phase2_weeks": "4",
        "reexam_visits": "12, 20",
        "appointment_type": clinic.kind.pk,
        "services": [clinic.service.pk],
        "active": "on",
    }
    response = client.post(reverse("care_plans:template_new"), data)
    assert response.status_code == 302
    template = CarePlanTemplate.objects.get()
    assert (template.visit_count, template.reexam_visits) == (20, [12, 20])
    bad = {**data, "reexam_visits": "30"}
    response = client.post(reverse("care_plans:template_edit", args=[template.pk]), bad)
    assert response.status_code == 422
    assert "beyond the plan" in response.content.decode()
    response = client.post(reverse("care_plans:template_new"), {**data, "reexam_visits": "x"})
    assert response.status_code == 422
    response = client.post(reverse("care_plans:template_new"), {**data, "phase2_weeks": ""})
    assert "Give both" in response.content.decode()
    page = client.get(reverse("care_plans:templates")).content.decode()
    assert "Corrective (example" in page
    assert client.get(reverse("care_plans:template_edit", args=[template.pk])).status_code == 200


def test_a_practitioner_prescribes_from_a_template_and_it_is_logged(client, clinic):
    template = care_plans.save_template(
        by=clinic.practitioner.user,
        name="Corrective",
        phases=CORRECTIVE,
        reexam_visits=[12],
        appointment_type=clinic.kind,
        services=[clinic.service],
    )
    url = reverse("care_plans:new", args=[clinic.patient.pk])
    client.force_login(clinic.desk)
    assert client.get(url).status_code == 403
    client.force_login(clinic.practitioner.user)
    page = client.get(f"{url}?template={template.pk}").content.decode()
    assert 'name="phase1_per_week" value="3"' in page
    response = client.post(url, plan_post(clinic, template=template.pk))
    plan = CarePlan.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "care_plans:detail", args=[plan.pk]
    )
    assert (plan.planned_visits, plan.template, plan.fee_estimate) == (12, template, 54000)
    assert plan.goals.get().instrument_id == "nprs"
    actions = list(
        AccessLog.objects.filter(patient=clinic.patient).values_list("action", flat=True)
    )
    assert "prescribe_care_plan" in actions and "view_care_plan" in actions


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"phase1_per_week": "9"}, "between 1 and 7"),
        ({"goal1_target": "11"}, "between 0"),
        ({"goal1_target": ""}, "Give the questionnaire and the target"),
        ({"services": []}, None),
    ],
)
def test_prescribing_refusals_show_on_the_form_and_write_nothing(client, clinic, extra, message):
    client.force_login(clinic.practitioner.user)
    response = client.post(
        reverse("care_plans:new", args=[clinic.patient.pk]), plan_post(clinic, **extra)
    )
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CarePlan.objects.exists()


def test_the_tablet_signing_journey_over_http(client, clinic):
    plan = prescribe(clinic)
    client.force_login(clinic.practitioner.user)
    detail = reverse("care_plans:detail", args=[plan.pk])
    assert client.post(reverse("care_plans:start_signing", args=[plan.pk])).status_code == 302
    assert "Propose the plan" in client.get(detail, follow=True).content.decode()
    response = client.post(reverse("care_plans:status", args=[plan.pk]), {"action": "propose"})
    assert response.status_code == 302
    response = client.post(reverse("care_plans:start_signing", args=[plan.pk]))
    assert response.url == reverse("care_plans:sign")
    # The staff session is gone: the tablet shows only the plan.
    assert client.get(detail).status_code == 302
    page = client.get(reverse("care_plans:sign")).content.decode()
    digest = signatures.document_sha256(care_plans.plan_document(plan))
    assert digest in page and "Care plan: Corrective" in page
    form = {
        "full_name": "Olivia Smith",
        "signature": "<svg><script/></svg>",
        "document_sha256": digest,
    }
    response = client.post(reverse("care_plans:sign"), form)
    assert response.status_code == 422 and "Draw your signature" in response.content.decode()
    response = client.post(reverse("care_plans:sign"), {**form, "signature": ""})
    assert response.status_code == 422
    response = client.post(
        reverse("care_plans:sign"), {**form, "signature": SVG}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200 and "hand the tablet back" in response.content.decode()
    signature = CarePlanSignature.objects.get()
    assert signature.ip_address == "198.51.100.4"
    assert signature.handed_over_by == clinic.practitioner.user
    assert AccessLog.objects.filter(action=Action.SIGN_CARE_PLAN, patient=clinic.patient).exists()
    # The signing session is over.
    response = client.get(reverse("care_plans:sign"))
    assert response.status_code == 422 and "No care plan is open" in response.content.decode()
    client.force_login(clinic.desk)
    pdf = client.get(reverse("care_plans:signed_pdf", args=[plan.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Signed by: Olivia Smith" in text and signature.document_sha256 in text


def test_front_desk_may_not_change_a_plans_status_and_an_unknown_action_is_refused(client, clinic):
    plan = prescribe(clinic)
    url = reverse("care_plans:status", args=[plan.pk])
    client.force_login(clinic.desk)
    assert client.post(url, {"action": "propose"}).status_code == 403
    client.force_login(clinic.practitioner.user)
    response = client.post(url, {"action": "explode"}, follow=True)
    assert "Choose what to do" in response.content.decode()
    assert client.get(reverse("care_plans:signed_pdf", args=[plan.pk])).status_code == 422


def test_front_desk_books_the_plan_skipping_a_conflict(client, clinic):
    plan = signed(clinic)
    url = reverse("care_plans:book", args=[plan.pk])
    client.force_login(clinic.desk)
    assert client.get(url).status_code == 200
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    make_appointment(clinic.practitioner, starts[4], kind=clinic.kind, location=clinic.location)
    form = {
        "practitioner": clinic.practitioner.pk,
        "first_day": plan.start_date.isoformat(),
        "time": "09:00",
        "weekdays1": ["0", "2", "4"],
        "weekdays2": ["0", "3"],
    }
    response = client.post(url, {**form, "action": "check"})
    assert response.status_code == 409
    assert "1 time cannot be booked" in response.content.decode()
    assert not Appointment.objects.filter(patient=clinic.patient).exists()
    rows = {f"start-{n:03d}": s.isoformat() for n, s in enumerate(starts)}
    response = client.post(url, {**form, **rows, "choice-004": "skip", "action": "book"})
    assert response.status_code == 302
    assert Appointment.objects.filter(patient=clinic.patient).count() == 11
    plan.refresh_from_db()
    assert plan.status == "active"
    assert [v.sequence for v in care_plans.open_visits(plan)] == [12]
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert page.count("not booked") == 1 and "Book the visits" in page
    response = client.post(url, {**form, "weekdays2": [], "action": "check"})
    assert response.status_code == 422


def test_a_plan_not_accepted_cannot_be_booked(client, clinic):
    plan = prescribe(clinic)
    client.force_login(clinic.desk)
    assert client.get(reverse("care_plans:book", args=[plan.pk])).status_code == 422


def _book_all(clinic, plan):
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    return care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts, by=clinic.desk
    )


def test_adherence_counts_done_missed_remaining_and_the_next_reexam(clinic):
    plan = signed(clinic, prescribe(clinic, reexam_visits=[4, 12]))
    booked = _book_all(clinic, plan)
    Appointment.objects.filter(pk__in=[booked[0].pk, booked[1].pk]).update(status="completed")
    make_visit(clinic.practitioner, clinic.patient, appointment=booked[2])
    Appointment.objects.filter(pk=booked[3].pk).update(status="no_show")
    Appointment.objects.filter(pk=booked[4].pk).update(status="cancelled", cancelled_late=True)
    Appointment.objects.filter(pk=booked[5].pk).update(status="cancelled")
    adherence = plan_adherence(plan)
    assert (adherence.done, adherence.missed, adherence.remaining) == (3, 2, 7)
    # Visit 4 (a re-exam) was missed: the next re-exam due is visit 12, on its booked day.
    assert adherence.next_reexam.sequence == 12
    assert adherence.next_reexam_on == booked[11].start.date()
    [progress] = patient_plans(clinic.patient)
    assert progress.adherence == adherence


def test_the_next_reexam_not_booked_is_due_on_its_expected_day(clinic):
    plan = signed(clinic)
    adherence = plan_adherence(plan)
    assert adherence.next_reexam_on == plan.visits.get(sequence=12).expected_on
    assert adherence.upcoming == 0 and adherence.remaining == 12


def test_the_worklist_lists_plans_behind_in_a_fixed_number_of_queries(client, clinic):
    now = timezone.now()
    # On pace: started today, all booked ahead.
    on_pace = signed(
        clinic, prescribe(clinic, start_date=timezone.localdate() + dt.timedelta(days=7))
    )
    _book_all(clinic, on_pace)
    # Behind: started four weeks ago, nothing done.
    for n in range(3):
        patient = make_patient(last_name=f"Behind{n}")
        clinic.patient = patient
        signed(clinic, prescribe(clinic, start_date=timezone.localdate() - dt.timedelta(weeks=4)))
    # Not followed: a draft and a cancelled plan far behind.
    prescribe(clinic, start_date=timezone.localdate() - dt.timedelta(weeks=4))
    with CaptureQueriesContext(connection) as queries:
        rows = plans_falling_behind(now)
    assert len(queries) == 2
    assert sorted(r.plan.patient.last_name for r in rows) == ["Behind0", "Behind1", "Behind2"]
    assert all(r.adherence.behind >= 2 for r in rows)
    client.force_login(clinic.desk)
    before = AccessLog.objects.count()
    page = client.get(reverse("care_plans:behind")).content.decode()
    assert "Behind1" in page and "Smith" not in page
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.first().patient is None


def test_a_plan_with_visits_left_and_none_booked_is_on_the_worklist(clinic):
    plan = signed(clinic, prescribe(clinic, start_date=timezone.localdate() + dt.timedelta(days=7)))
    assert [r.plan for r in plans_falling_behind()] == [plan]
    _book_all(clinic, plan)
    assert plans_falling_behind() == []


def test_the_plan_and_patient_pages_show_adherence(client, clinic):
    plan = signed(clinic)
    _book_all(clinic, plan)
    client.force_login(make_user(Role.FRONT_DESK))
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert 'data-adherence="remaining">12<' in page
    assert "Book the visits" not in page  # every visit is booked
    assert "Signed plan (PDF)" in page
    patient_page = client.get(reverse("patients:detail", args=[clinic.patient.pk])).content.decode()
    assert "Corrective" in patient_page and 'data-adherence="done">0 / 12<' in patient_page


def test_a_practitioner_without_a_diary_prescribes_choosing_who_and_where(client, clinic):
    client.force_login(make_user(Role.PRACTITIONER))
    page = client.get(reverse("care_plans:new", args=[clinic.patient.pk]))
    assert page.status_code == 200 and 'name="practitioner"' in page.content.decode()


def test_a_moved_time_without_a_date_is_refused_on_the_booking_form(client, clinic):
    plan = signed(clinic)
    client.force_login(clinic.desk)
    form = {
        "practitioner": clinic.practitioner.pk,
        "first_day": plan.start_date.isoformat(),
        "time": "09:00",
        "weekdays1": ["0", "2", "4"],
        "weekdays2": ["0", "3"],
        "start-000": "2030-01-07T09:00:00+00:00",
        "choice-000": "move",
        "date-000": "",
        "action": "book",
    }
    response = client.post(reverse("care_plans:book", args=[plan.pk]), form)
    assert response.status_code == 422
    assert "Give a date and a time" in response.content.decode()
    assert not Appointment.objects.exists()
