"""Care plans: templates, prescribing (visits, re-exams, goals, fee estimate), the status path,
signing (drawn signature checked, document hash, append-only, PDF) and booking as a series."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from sotclinic import signatures
from sotclinic.accounts.models import Role
from sotclinic.audit.triggers import installed_guard_names
from sotclinic.billing import care_plans
from sotclinic.billing.care_plans import CarePlanError, CarePlanForbidden, GoalRequest
from sotclinic.billing.models import (
    CarePlan,
    CarePlanSignature,
    Fee,
    FeeSchedule,
    PlannedVisit,
    SignatureImmutable,
)
from sotclinic.intake.models import QuestionnaireResponse
from sotclinic.scheduling.errors import BookingError
from sotclinic.scheduling.models import Appointment
from sotclinic.signatures import SignatureRefused
from tests.billing.plan_setup import CORRECTIVE, plan_clinic
from tests.factories import make_appointment, make_user

pytestmark = pytest.mark.django_db

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
    '<path d="M10 100 L40 60 L80 140 L120 50"/><path d="M200 100 L260 100"/></svg>'
)


@pytest.fixture
def clinic():
    return plan_clinic()


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def prescribe(clinic, **extra) -> CarePlan:
    values = {
        "by": clinic.practitioner.user,
        "practitioner": clinic.practitioner,
        "location": clinic.location,
        "appointment_type": clinic.kind,
        "phases": CORRECTIVE,
        "reexam_visits": [12],
        "start_date": next_monday(),
        "services": [clinic.service],
        "name": "Corrective",
    }
    return care_plans.prescribe_plan(clinic.patient, **{**values, **extra})


def signed(clinic, plan=None) -> CarePlan:
    plan = plan or prescribe(clinic)
    care_plans.propose_plan(plan, by=clinic.practitioner.user)
    text = care_plans.plan_document(plan)
    care_plans.sign_plan(
        plan,
        full_name="Olivia Smith",
        signature_svg=SVG,
        shown_sha256=signatures.document_sha256(text),
        ip_address="192.0.2.7",
    )
    plan.refresh_from_db()
    return plan


# --- Templates ---------------------------------------------------------------------------


def test_a_practitioner_saves_and_edits_a_template_front_desk_may_not(clinic):
    template = care_plans.save_template(
        by=clinic.practitioner.user,
        name="Corrective (example)",
        phases=CORRECTIVE,
        reexam_visits=[12],
        appointment_type=clinic.kind,
        services=[clinic.service],
    )
    assert template.visit_count == 12
    care_plans.save_template(
        by=clinic.practitioner.user,
        template=template,
        name="Corrective",
        phases=[{"visits_per_week": 2, "weeks": 4}],
        reexam_visits=[8],
    )
    template.refresh_from_db()
    assert (template.name, template.visit_count, list(template.services.all())) == (
        "Corrective",
        8,
        [],
    )
    with pytest.raises(CarePlanForbidden):
        care_plans.save_template(by=clinic.desk, name="X", phases=CORRECTIVE, reexam_visits=[])
    initial = care_plans.template_initial(template)
    assert initial["phases"] == [{"visits_per_week": 2, "weeks": 4}]


@pytest.mark.parametrize(
    ("phases", "reexams", "field"),
    [
        ([], [], "phases"),
        ([{"visits_per_week": 8, "weeks": 1}], [], "phases"),
        ([{"visits_per_week": 2, "weeks": 0}], [], "phases"),
        ([{"visits_per_week": 2}], [], "phases"),
        ([{"visits_per_week": "2", "weeks": 2}], [], "phases"),
        ([{"visits_per_week": 7, "weeks": 26}], [], "phases"),
        ([{"visits_per_week": 2, "weeks": 2}], [5], "reexam_visits"),
        ([{"visits_per_week": 2, "weeks": 2}], [2, 2], "reexam_visits"),
        ([{"visits_per_week": 2, "weeks": 2}], [0], "reexam_visits"),
    ],
)
def test_a_schedule_that_does_not_add_up_is_refused(clinic, phases, reexams, field):
    with pytest.raises(CarePlanError) as refused:
        care_plans.save_template(
            by=clinic.practitioner.user, name="T", phases=phases, reexam_visits=reexams
        )
    assert refused.value.field == field


def test_a_template_needs_a_name(clinic):
    with pytest.raises(CarePlanError, match="name"):
        care_plans.save_template(
            by=clinic.practitioner.user, name=" ", phases=CORRECTIVE, reexam_visits=[]
        )


# --- Prescribing -------------------------------------------------------------------------


def test_a_plan_has_its_visits_reexams_and_fee_estimate(clinic):
    plan = prescribe(clinic)
    visits = list(plan.visits.all())
    assert plan.planned_visits == len(visits) == 12
    assert [v.sequence for v in visits if v.is_reexam] == [12]
    assert (plan.visit_fee, plan.fee_estimate, plan.currency) == (4500, 54000, "GBP")
    assert plan.status == CarePlan.Status.DRAFT
    start = plan.start_date
    # Three visits a week for two weeks (Mon, Wed, Fri), then two a week (Mon, Thu).
    assert [v.expected_on - start for v in visits[:8]] == [
        dt.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11, 14, 17)
    ]
    assert visits[-1].expected_on == start + dt.timedelta(days=31)


def test_the_location_schedule_is_preferred_over_the_clinic_wide_one(clinic):
    own = FeeSchedule.objects.create(name="Harbour", currency="GBP", location=clinic.location)
    Fee.objects.create(schedule=own, service=clinic.service, amount=5000)
    assert prescribe(clinic).fee_estimate == 12 * 5000


def test_a_service_without_a_price_is_refused_and_nothing_is_written(clinic):
    Fee.objects.all().delete()
    with pytest.raises(CarePlanError, match="no price") as refused:
        prescribe(clinic)
    assert refused.value.field == "services"
    assert not CarePlan.objects.exists()


def test_a_plan_without_services_has_no_estimate(clinic):
    assert prescribe(clinic, services=[]).fee_estimate == 0


def test_only_a_practitioner_prescribes(clinic):
    with pytest.raises(CarePlanForbidden):
        prescribe(clinic, by=clinic.desk)
    with pytest.raises(CarePlanError, match="name"):
        prescribe(clinic, name="  ")


def test_goals_take_the_latest_score_as_baseline(clinic):
    for score, days_ago in ((16, 20), (14, 3)):
        QuestionnaireResponse.objects.create(
            patient=clinic.patient,
            instrument_id="rmdq",
            instrument_version=1,
            score=score,
            administered_at=timezone.now() - dt.timedelta(days=days_ago),
            context="follow_up",
        )
    plan = prescribe(
        clinic,
        goals=[GoalRequest("rmdq", Decimal("6")), GoalRequest("nprs", Decimal("2"), "Evenings")],
    )
    rmdq, nprs = plan.goals.order_by("instrument_id").reverse()
    assert (rmdq.baseline, rmdq.target) == (14, Decimal("6"))
    assert nprs.baseline is None and nprs.note == "Evenings"
    text = care_plans.plan_document(plan)
    assert "RMDQ: latest score 14; target 6" in text
    assert "no score yet; target 2" in text
    assert ("rmdq", "RMDQ") in care_plans.goal_instruments()


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ([GoalRequest("sf36", Decimal("1"))], "questionnaire the clinic uses"),
        ([GoalRequest("rmdq", Decimal("1")), GoalRequest("rmdq", Decimal("2"))], "once"),
        ([GoalRequest("rmdq", Decimal("25"))], "between"),
    ],
)
def test_bad_goals_are_refused(clinic, goals, message):
    with pytest.raises(CarePlanError, match=message):
        prescribe(clinic, goals=goals)
    assert not CarePlan.objects.exists()


# --- Status ------------------------------------------------------------------------------


def test_the_status_path(clinic):
    by = clinic.practitioner.user
    plan = prescribe(clinic)
    assert care_plans.propose_plan(plan, by=by).status == "proposed"
    assert care_plans.return_to_draft(plan, by=by).status == "draft"
    with pytest.raises(CarePlanError, match="draft"):
        care_plans.complete_plan(plan, by=by)
    with pytest.raises(CarePlanForbidden):
        care_plans.propose_plan(plan, by=clinic.desk)
    assert care_plans.cancel_plan(plan, by=by).status == "cancelled"
    with pytest.raises(CarePlanError):
        care_plans.propose_plan(plan, by=by)
    accepted = signed(clinic, prescribe(clinic))
    assert accepted.status == "accepted"
    assert care_plans.complete_plan(accepted, by=by).status == "completed"


# --- Signing -----------------------------------------------------------------------------


def test_signing_stores_the_hash_name_time_address_and_a_pdf(clinic):
    plan = signed(clinic)
    signature = plan.signature
    assert plan.status == CarePlan.Status.ACCEPTED
    assert signature.document_sha256 == signatures.document_sha256(signature.document_text)
    assert signature.ip_address == "192.0.2.7" and signature.language == "en-gb"
    assert signature.signature_svg.count("<path ") == 2
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(signature.pdf))).pages)
    assert "Care plan: Corrective" in text
    assert "Signed by: Olivia Smith" in text
    assert signature.document_sha256 in text.replace("\n", "")
    local = signature.signed_at.astimezone(clinic.location.tz)
    assert f"{local:%H:%M:%S} ({local.tzname()}, {clinic.location.time_zone})" in text
    assert "Fee estimate: 12 visits at £45.00 = £540.00" in text


def test_the_document_is_in_the_patients_language(clinic):
    clinic.patient.preferred_language = "de"
    clinic.patient.save()
    plan = signed(clinic)
    assert plan.signature.language == "de"
    assert plan.signature.document_text.startswith("Behandlungsplan: Corrective")


def test_a_document_changed_since_it_was_shown_is_not_signed(clinic):
    plan = prescribe(clinic)
    care_plans.propose_plan(plan, by=clinic.practitioner.user)
    shown = signatures.document_sha256(care_plans.plan_document(plan))
    CarePlan.objects.filter(pk=plan.pk).update(notes="Changed")
    with pytest.raises(SignatureRefused, match="changed"):
        care_plans.sign_plan(
            plan, full_name="Olivia Smith", signature_svg=SVG, shown_sha256=shown, ip_address=None
        )
    assert not CarePlanSignature.objects.exists()


def test_only_a_proposed_plan_is_signed_once_and_a_name_is_typed(clinic):
    plan = prescribe(clinic)
    digest = signatures.document_sha256(care_plans.plan_document(plan))
    args = {"signature_svg": SVG, "shown_sha256": digest, "ip_address": None}
    with pytest.raises(CarePlanError, match="not waiting"):
        care_plans.sign_plan(plan, full_name="Olivia Smith", **args)
    care_plans.propose_plan(plan, by=clinic.practitioner.user)
    with pytest.raises(SignatureRefused, match="full name") as refused:
        care_plans.sign_plan(plan, full_name=" O ", **args)
    assert refused.value.field == "full_name"
    care_plans.sign_plan(plan, full_name="Olivia  Smith", **args)
    with pytest.raises(CarePlanError, match="not waiting"):
        care_plans.sign_plan(plan, full_name="Olivia Smith", **args)
    assert CarePlanSignature.objects.get().full_name == "Olivia Smith"


def test_a_signature_never_changes_in_the_application_or_the_database(clinic):
    signature = signed(clinic).signature
    with pytest.raises(SignatureImmutable):
        signature.save()
    with pytest.raises(SignatureImmutable):
        CarePlanSignature.objects.all().delete()
    names = installed_guard_names(connection)
    assert any(n.startswith("guard_billing_careplansignature_append_only") for n in names)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_careplansignature SET full_name = 'X'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_careplansignature")


# --- Booking -----------------------------------------------------------------------------


def test_booking_links_each_planned_visit_to_its_appointment(clinic):
    plan = signed(clinic)
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    assert len(starts) == 12
    assert not any(
        o.conflict
        for o in care_plans.check_plan_series(plan, practitioner=clinic.practitioner, starts=starts)
    )
    booked = care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts, by=clinic.desk
    )
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.ACTIVE
    links = list(plan.visits.values_list("sequence", "appointment_id"))
    assert links == [(n, a.pk) for n, a in enumerate(booked, start=1)]
    assert care_plans.open_visits(plan) == []
    with pytest.raises(CarePlanError, match="0 visits left"):
        care_plans.book_plan_visits(
            plan, practitioner=clinic.practitioner, starts=starts[:1], by=clinic.desk
        )


def test_a_conflict_books_nothing_and_a_plan_not_accepted_is_not_booked(clinic):
    plan = prescribe(clinic)
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    with pytest.raises(CarePlanError, match="accepted"):
        care_plans.book_plan_visits(
            plan, practitioner=clinic.practitioner, starts=starts, by=clinic.desk
        )
    plan = signed(clinic, plan)
    make_appointment(clinic.practitioner, starts[5], kind=clinic.kind, location=clinic.location)
    plan_check = care_plans.check_plan_series(plan, practitioner=clinic.practitioner, starts=starts)
    assert [o.start for o in plan_check if o.conflict] == [starts[5]]
    with pytest.raises(BookingError):
        care_plans.book_plan_visits(
            plan, practitioner=clinic.practitioner, starts=starts, by=clinic.desk
        )
    assert not PlannedVisit.objects.filter(appointment__isnull=False).exists()
    assert Appointment.objects.count() == 1
    with pytest.raises(CarePlanError, match="weekdays"):
        care_plans.plan_starts(plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0]])


def test_a_visit_cancelled_in_time_can_be_booked_again(clinic):
    plan = signed(clinic)
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    booked = care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts[:3], by=clinic.desk
    )
    Appointment.objects.filter(pk=booked[1].pk).update(status="cancelled")
    assert [v.sequence for v in care_plans.open_visits(plan)] == [2, *range(4, 13)]
    make_user(Role.PRACTITIONER)


def test_a_plan_without_reexams_has_none_due_and_rows_read_as_text(clinic):
    from sotclinic.billing.care_plan_adherence import plan_adherence

    plan = prescribe(clinic, reexam_visits=[])
    assert plan_adherence(plan).next_reexam is None
    goal = plan.goals.create(instrument_id="retired", target=Decimal("1"))
    # A questionnaire no longer shipped is named by its id.
    assert "retired: no score yet; target 1" in care_plans.plan_document(plan)
    visit = plan.visits.first()
    assert (str(plan), str(goal), str(visit)) == ("Corrective", "retired → 1", f"{plan.pk} #1")
    template = care_plans.save_template(
        by=clinic.practitioner.user, name="T", phases=CORRECTIVE, reexam_visits=[]
    )
    assert str(template) == "T"
    assert str(signed(clinic).signature).startswith("Olivia Smith ")


def test_a_long_plan_document_runs_over_pages_in_the_pdf(clinic):
    notes = "\n".join(f"Note line {n}: " + "word " * 40 for n in range(45))
    plan = signed(clinic, prescribe(clinic, notes=notes))
    reader = PdfReader(io.BytesIO(bytes(plan.signature.pdf)))
    assert len(reader.pages) >= 3
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Note line 44" in text and plan.signature.document_sha256 in text.replace("\n", "")


def test_an_active_plan_books_its_remaining_visits(clinic):
    plan = signed(clinic)
    starts = care_plans.plan_starts(
        plan, first_day=plan.start_date, time=dt.time(9), weekdays=[[0, 2, 4], [0, 3]]
    )
    care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts[:4], by=clinic.desk
    )
    plan.refresh_from_db()
    changed_at = plan.status_changed_at
    care_plans.book_plan_visits(
        plan, practitioner=clinic.practitioner, starts=starts[4:], by=clinic.desk
    )
    plan.refresh_from_db()
    assert (plan.status, plan.status_changed_at) == ("active", changed_at)
    assert care_plans.open_visits(plan) == []


def test_a_start_far_from_today_is_refused(clinic):
    with pytest.raises(CarePlanError, match="two years") as refused:
        prescribe(clinic, start_date=dt.date(9999, 12, 1))
    assert refused.value.field == "start_date"
    plan = signed(clinic)
    with pytest.raises(CarePlanError, match="two years"):
        care_plans.plan_starts(
            plan, first_day=dt.date(2000, 1, 3), time=dt.time(9), weekdays=[[0], [0]]
        )


def test_a_patient_following_an_accepted_plan_is_in_active_care_from_its_start(clinic):
    from sotclinic.billing import charges

    start = next_monday()
    assert not charges.in_active_care(clinic.patient, start)
    plan = prescribe(clinic)
    assert not charges.in_active_care(clinic.patient, start)  # not accepted yet
    signed(clinic, plan)
    assert charges.in_active_care(clinic.patient, start)
    assert not charges.in_active_care(clinic.patient, start - dt.timedelta(days=1))
    care_plans.cancel_plan(plan, by=clinic.practitioner.user)
    assert not charges.in_active_care(clinic.patient, start)
