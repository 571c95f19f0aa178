"""Care plans: the one place that writes them. Practitioners keep the clinic's templates and
prescribe plans; the patient accepts a proposed plan by signing its document (typed name, drawn
signature, time, address, the document's SHA-256, the signed PDF); front desk books its visits
as a series. Each write is one transaction."""

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sotclinic import clinic_locale
from sotclinic.errors import DomainError
from sotclinic.intake.instruments import InstrumentError, current_instruments, get_instrument
from sotclinic.intake.models import QuestionnaireResponse
from sotclinic.money import format_money
from sotclinic.patients.models import Patient
from sotclinic.scheduling import series
from sotclinic.scheduling.models import Appointment, AppointmentType, Location, Practitioner
from sotclinic.scheduling.selectors import clinic_today
from sotclinic.scheduling.services import book_appointment
from sotclinic.signatures import sign_document

from .fees import NoFee, fee_for
from .ledger import clinic_currency
from .models import (
    CarePlan,
    CarePlanGoal,
    CarePlanSignature,
    CarePlanTemplate,
    PlannedVisit,
    Service,
    validate_phases,
    validate_reexam_visits,
)

Status = CarePlan.Status


class CarePlanError(DomainError):
    """A care plan request the rules refuse; the message is shown as it is."""

    title = gettext_lazy("The care plan could not be changed")


class CarePlanForbidden(CarePlanError):
    status_code = 403


def _require_practitioner(user) -> None:
    if not getattr(user, "is_practitioner", False):
        raise CarePlanForbidden(_("Only a practitioner may prescribe or change care plans."))


def _check(validator, value, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise CarePlanError(" ".join(exc.messages), field=field) from None


# --- Fees ----------------------------------------------------------------------------------


def visit_fee(services: Iterable[Service], *, location: Location, currency: str) -> int:
    """The estimated fee of one plan visit: the sum of its services' prices (minor units)."""
    try:
        return sum(fee_for(s, location=location, currency=currency).amount for s in services)
    except NoFee as refusal:
        raise CarePlanError(refusal.message, field="services") from refusal


# --- Schedule ------------------------------------------------------------------------------


def visit_count(phases: Sequence[dict]) -> int:
    return sum(p["visits_per_week"] * p["weeks"] for p in phases)


def expected_dates(start_date: dt.date, phases: Sequence[dict]) -> list[dt.date]:
    """The day each planned visit is expected on: each phase's visits spread evenly over each
    of its weeks, the phases one after another from ``start_date``."""
    days = []
    week_start = start_date
    for phase in phases:
        per_week = phase["visits_per_week"]
        for _week in range(phase["weeks"]):
            days.extend(
                week_start + dt.timedelta(days=math.floor(k * 7 / per_week))
                for k in range(per_week)
            )
            week_start += dt.timedelta(weeks=1)
    return days


# How far from today a plan may start or its booking begin.
MAX_DAYS_AHEAD = 2 * 365
MAX_DAYS_BACK = 365


def _check_start(day: dt.date, field: str) -> None:
    today = clinic_today()
    if (
        not today - dt.timedelta(days=MAX_DAYS_BACK)
        <= day
        <= today + dt.timedelta(days=MAX_DAYS_AHEAD)
    ):
        raise CarePlanError(
            _("Choose a day between a year ago and two years from today."), field=field
        )


def _clean_schedule(phases, reexam_visits) -> tuple[list[dict], list[int]]:
    _check(validate_phases, phases, "phases")
    _check(validate_reexam_visits, reexam_visits, "reexam_visits")
    total = visit_count(phases)
    if any(n > total for n in reexam_visits):
        raise CarePlanError(
            _("A re-exam visit number is beyond the plan's %(count)s visits.") % {"count": total},
            field="reexam_visits",
        )
    return list(phases), sorted(reexam_visits)


# --- Templates -----------------------------------------------------------------------------


@transaction.atomic
def save_template(
    *,
    by,
    name: str,
    phases: list[dict],
    reexam_visits: list[int],
    appointment_type: AppointmentType | None = None,
    services: Iterable[Service] = (),
    description: str = "",
    active: bool = True,
    template: CarePlanTemplate | None = None,
) -> CarePlanTemplate:
    """Create or change one of the clinic's care plan templates (practitioners only)."""
    _require_practitioner(by)
    phases, reexam_visits = _clean_schedule(phases, reexam_visits)
    if not name.strip():
        raise CarePlanError(_("Give the template a name."), field="name")
    template = template or CarePlanTemplate()
    template.name = name.strip()
    template.description = description
    template.phases = phases
    template.reexam_visits = reexam_visits
    template.appointment_type = appointment_type
    template.active = active
    template.updated_at = timezone.now()
    template.updated_by = by
    template.save()
    template.services.set(list(services))
    return template


# --- Prescribing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRequest:
    instrument_id: str
    target: Decimal
    note: str = ""


def goal_instruments() -> list[tuple[str, str]]:
    """The outcome questionnaires a goal may name: the instruments the intake ships."""
    return [(i.id, i.short_title) for i in current_instruments()]


def latest_score(patient: Patient, instrument_id: str) -> QuestionnaireResponse | None:
    return (
        QuestionnaireResponse.objects.filter(patient=patient, instrument_id=instrument_id)
        .order_by("-administered_at", "-id")
        .first()
    )


def _add_goals(plan: CarePlan, goals: Iterable[GoalRequest]) -> None:
    seen = set()
    for goal in goals:
        try:
            instrument = get_instrument(goal.instrument_id)
        except InstrumentError:
            raise CarePlanError(
                _("Choose a questionnaire the clinic uses."), field="goals"
            ) from None
        if goal.instrument_id in seen:
            raise CarePlanError(_("Each questionnaire once per plan."), field="goals")
        seen.add(goal.instrument_id)
        low, high = instrument.score_min, instrument.score_max
        if not low <= goal.target <= high:
            raise CarePlanError(
                _("The target for %(name)s must be between %(low)s and %(high)s.")
                % {"name": instrument.short_title, "low": low, "high": high},
                field="goals",
            )
        latest = latest_score(plan.patient, goal.instrument_id)
        CarePlanGoal.objects.create(
            plan=plan,
            instrument_id=goal.instrument_id,
            baseline=latest.score if latest else None,
            baseline_at=latest.administered_at if latest else None,
            target=goal.target,
            note=goal.note,
        )


@transaction.atomic
def prescribe_plan(
    patient: Patient,
    *,
    by,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    phases: list[dict],
    reexam_visits: list[int],
    start_date: dt.date,
    services: Iterable[Service] = (),
    name: str,
    notes: str = "",
    goals: Iterable[GoalRequest] = (),
    template: CarePlanTemplate | None = None,
) -> CarePlan:
    """Write a draft plan for the patient: its planned visits (each with the day it is
    expected on and whether it is a re-exam), its goals (baseline: the patient's latest score
    on each questionnaire) and its fee estimate (planned visits × the visit's fee)."""
    _require_practitioner(by)
    plan = CarePlan(patient=patient, template=template, created_by=by)
    return _write_plan(
        plan,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type,
        phases=phases,
        reexam_visits=reexam_visits,
        start_date=start_date,
        services=services,
        name=name,
        notes=notes,
        goals=goals,
    )


@transaction.atomic
def revise_draft(
    plan: CarePlan,
    *,
    by,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    phases: list[dict],
    reexam_visits: list[int],
    start_date: dt.date,
    services: Iterable[Service] = (),
    name: str,
    notes: str = "",
    goals: Iterable[GoalRequest] = (),
) -> CarePlan:
    """Change a draft plan: its schedule, planned visits, goals and fee estimate are written
    again as for a new plan. Only a draft changes: a proposed plan goes back to draft first,
    and a plan the patient signed never changes (its document, hash and PDF stay)."""
    _require_practitioner(by)
    plan = _locked(plan)
    if plan.status != Status.DRAFT:
        raise CarePlanError(
            _("Only a draft plan can be changed; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    plan.visits.all().delete()  # a draft has no appointments booked
    plan.goals.all().delete()
    return _write_plan(
        plan,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type,
        phases=phases,
        reexam_visits=reexam_visits,
        start_date=start_date,
        services=services,
        name=name,
        notes=notes,
        goals=goals,
    )


def _write_plan(
    plan: CarePlan,
    *,
    practitioner,
    location,
    appointment_type,
    phases,
    reexam_visits,
    start_date,
    services,
    name,
    notes,
    goals,
) -> CarePlan:
    """Check and write a draft's content, its planned visits and goals (inside the caller's
    transaction)."""
    phases, reexam_visits = _clean_schedule(phases, reexam_visits)
    _check_start(start_date, "start_date")
    if not name.strip():
        raise CarePlanError(_("Give the plan a name."), field="name")
    services = list(services)
    currency = clinic_currency()
    fee = visit_fee(services, location=location, currency=currency)
    total = visit_count(phases)
    plan.name = name.strip()
    plan.notes = notes
    plan.prescribed_by = practitioner
    plan.location = location
    plan.appointment_type = appointment_type
    plan.phases = phases
    plan.reexam_visits = reexam_visits
    plan.start_date = start_date
    plan.planned_visits = total
    plan.visit_fee = fee
    plan.fee_estimate = fee * total
    plan.currency = currency
    plan.save()
    plan.services.set(services)
    reexams = set(reexam_visits)
    PlannedVisit.objects.bulk_create(
        PlannedVisit(plan=plan, sequence=n, is_reexam=n in reexams, expected_on=day)
        for n, day in enumerate(expected_dates(start_date, phases), start=1)
    )
    _add_goals(plan, goals)
    return plan


def plan_initial(plan: CarePlan) -> dict:
    """A draft plan's values as the form to change it starts with."""
    return {
        "name": plan.name,
        "notes": plan.notes,
        "practitioner": plan.prescribed_by_id,
        "location": plan.location_id,
        "appointment_type": plan.appointment_type_id,
        "start_date": plan.start_date,
        "services": [s.pk for s in plan.services.all()],
    }


def template_initial(template: CarePlanTemplate) -> dict:
    """A template's values as the starting point of a new plan."""
    return {
        "template": template.pk,
        "name": template.name,
        "phases": template.phases,
        "reexam_visits": template.reexam_visits,
        "appointment_type": template.appointment_type_id,
        "services": [s.pk for s in template.services.all()],
    }


def _locked(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)


def _move(plan: CarePlan, to: str, allowed_from: Sequence[str]) -> CarePlan:
    plan = _locked(plan)
    if plan.status not in allowed_from:
        raise CarePlanError(
            _("This plan is %(status)s; it cannot be changed that way.")
            % {"status": plan.get_status_display().lower()}
        )
    plan.status = to
    plan.status_changed_at = timezone.now()
    plan.save(update_fields=["status", "status_changed_at"])
    return plan


@transaction.atomic
def propose_plan(plan: CarePlan, *, by) -> CarePlan:
    """Show a draft plan to the patient for signing; its document no longer changes."""
    _require_practitioner(by)
    return _move(plan, Status.PROPOSED, [Status.DRAFT])


@transaction.atomic
def return_to_draft(plan: CarePlan, *, by) -> CarePlan:
    """Take back a proposed plan that the patient has not signed."""
    _require_practitioner(by)
    return _move(plan, Status.DRAFT, [Status.PROPOSED])


@transaction.atomic
def cancel_plan(plan: CarePlan, *, by) -> CarePlan:
    """Stop a plan; its booked appointments stay as they are (cancel them on the calendar)."""
    _require_practitioner(by)
    allowed = [Status.DRAFT, Status.PROPOSED, Status.ACCEPTED, Status.ACTIVE]
    return _move(plan, Status.CANCELLED, allowed)


@transaction.atomic
def complete_plan(plan: CarePlan, *, by) -> CarePlan:
    """Mark an accepted or active plan completed."""
    _require_practitioner(by)
    return _move(plan, Status.COMPLETED, [Status.ACCEPTED, Status.ACTIVE])


# --- The document the patient signs --------------------------------------------------------


def follows_a_care_plan(patient: Patient, day: dt.date) -> bool:
    """Whether the patient is in active care on ``day``: a plan they accepted (or one being
    followed) starts on or before it. Charge suggestions mark spinal manipulation AT then."""
    return CarePlan.objects.filter(
        patient=patient, status__in=CarePlan.FOLLOWED_STATUSES, start_date__lte=day
    ).exists()


def plan_language(plan: CarePlan) -> str:
    """The language the patient reads: their own, else the clinic's."""
    return plan.patient.preferred_language or clinic_locale.current().language


def plan_document(plan: CarePlan, language: str | None = None) -> str:
    """The plan as the patient reads and signs it, in their language. Its SHA-256 is what a
    signature records, so the text is built only from the stored plan."""
    language = language or plan_language(plan)
    visits = list(plan.visits.filter(replaces__isnull=True).order_by("sequence"))
    goals = list(plan.goals.all())
    with translation.override(language):
        lines = [
            _("Care plan: %(name)s") % {"name": plan.name},
            _("Patient: %(name)s, born %(dob)s")
            % {"name": plan.patient.full_name, "dob": plan.patient.date_of_birth.isoformat()},
            _("Practitioner: %(name)s") % {"name": plan.prescribed_by.display_name},
            _("Location: %(name)s") % {"name": plan.location.name},
            "",
            _("Schedule"),
        ]
        for n, phrase in enumerate(plan.phase_phrases, start=1):
            lines.append(_("Phase %(n)s: %(schedule)s") % {"n": n, "schedule": phrase})
        lines.append(
            _("Planned visits: %(count)s, from %(day)s")
            % {"count": plan.planned_visits, "day": plan.start_date.isoformat()}
        )
        for visit in visits:
            if visit.is_reexam:
                lines.append(
                    _("Re-examination at visit %(n)s (expected around %(day)s)")
                    % {"n": visit.sequence, "day": visit.expected_on.isoformat()}
                )
        if goals:
            lines += ["", _("Goals on your questionnaires")]
            for goal in goals:
                title = _instrument_title(goal.instrument_id)
                if goal.baseline is None:
                    lines.append(
                        _("%(title)s: no score yet; target %(target)s")
                        % {"title": title, "target": goal.target.normalize()}
                    )
                else:
                    lines.append(
                        _("%(title)s: latest score %(baseline)s; target %(target)s")
                        % {
                            "title": title,
                            "baseline": f"{goal.baseline:g}",
                            "target": goal.target.normalize(),
                        }
                    )
        lines += [
            "",
            ngettext(
                "Fee estimate: %(count)s visit at %(fee)s = %(total)s",
                "Fee estimate: %(count)s visits at %(fee)s = %(total)s",
                plan.planned_visits,
            )
            % {
                "count": plan.planned_visits,
                "fee": format_money(plan.visit_fee, plan.currency),
                "total": format_money(plan.fee_estimate, plan.currency),
            },
            _(
                "This is an estimate. Each visit is charged when it takes place, at the fees in "
                "force on that day."
            ),
        ]
        if plan.notes.strip():
            lines += ["", _("Notes"), plan.notes.strip()]
        lines += [
            "",
            _(
                "By signing I accept this plan of care and its schedule. I may ask questions, "
                "change my mind and stop the plan at any time."
            ),
        ]
    return "\n".join(lines) + "\n"


def _instrument_title(instrument_id: str) -> str:
    try:
        return get_instrument(instrument_id).short_title
    except InstrumentError:
        return instrument_id


# --- Signing -------------------------------------------------------------------------------


@transaction.atomic
def sign_plan(
    plan: CarePlan,
    *,
    full_name: str,
    signature_svg: str,
    shown_sha256: str,
    ip_address: str | None,
    handed_over_by=None,
    now: dt.datetime | None = None,
) -> CarePlanSignature:
    """The patient accepts a proposed plan: the document they were shown (its hash must match
    the plan's document now), their typed full name and drawn signature, the time and client
    address, and the signed PDF, stored once; the plan becomes accepted."""
    plan = _locked(plan)
    if plan.status != Status.PROPOSED:
        raise CarePlanError(_("This plan is not waiting for a signature."), field="signature")
    language = plan_language(plan)
    with translation.override(language):
        title = _("Signed care plan")
    signed = sign_document(
        text=plan_document(plan, language),
        shown_sha256=shown_sha256,
        full_name=full_name,
        signature_svg=signature_svg,
        ip_address=ip_address,
        language=language,
        title=title,
        tz=plan.location.tz,
        changed_message=_(
            "The plan changed while it was open; read it again and sign the new version."
        ),
        now=now,
    )
    signature = CarePlanSignature.objects.create(
        plan=plan,
        full_name=signed.full_name,
        signature_svg=signed.signature_svg,
        language=language,
        document_text=signed.text,
        document_sha256=signed.sha256,
        signed_at=signed.signed_at,
        ip_address=ip_address,
        handed_over_by=handed_over_by,
        pdf=signed.pdf,
    )
    plan.status = Status.ACCEPTED
    plan.status_changed_at = signed.signed_at
    plan.save(update_fields=["status", "status_changed_at"])
    return signature


# --- Booking the plan's visits -------------------------------------------------------------

MISSED_STATUSES = Q(appointment__status=Appointment.Status.NO_SHOW) | Q(
    appointment__status=Appointment.Status.CANCELLED, appointment__cancelled_late=True
)


def replaceable_visits(plan: CarePlan) -> list[PlannedVisit]:
    """The plan's missed visits (no-show or cancelled late) that have no replacement yet."""
    return list(
        plan.visits.filter(MISSED_STATUSES, replacement__isnull=True)
        .select_related("appointment")
        .order_by("sequence")
    )


@transaction.atomic
def book_replacement_visit(
    missed: PlannedVisit,
    *,
    practitioner: Practitioner,
    start: dt.datetime,
    by,
    now: dt.datetime | None = None,
) -> PlannedVisit:
    """Book a visit in place of a missed one: the appointment (``book_appointment``'s rules)
    becomes a new planned visit of the plan that replaces the missed one and counts toward
    the plan; the missed visit keeps its appointment and stays missed."""
    plan = _locked(missed.plan)
    if plan.status not in CarePlan.FOLLOWED_STATUSES:
        raise CarePlanError(_("Only a plan the patient has accepted can be booked."))
    if not any(v.pk == missed.pk for v in replaceable_visits(plan)):
        raise CarePlanError(
            _("Only a missed visit without a replacement can be replaced."), field="start"
        )
    appointment = book_appointment(
        patient=plan.patient,
        practitioner=practitioner,
        appointment_type=plan.appointment_type,
        location=plan.location,
        start=start,
        by=by,
        now=now,
    )
    last = plan.visits.order_by("-sequence").values_list("sequence", flat=True).first()
    return PlannedVisit.objects.create(
        plan=plan,
        sequence=last + 1,
        is_reexam=missed.is_reexam,
        expected_on=start.astimezone(plan.location.tz).date(),
        appointment=appointment,
        replaces=missed,
    )


def open_visits(plan: CarePlan) -> list[PlannedVisit]:
    """The planned visits without an appointment (or whose appointment was cancelled in
    time), in visit order: what is left to book."""
    return list(
        plan.visits.filter(
            Q(appointment__isnull=True)
            | Q(appointment__status=Appointment.Status.CANCELLED, appointment__cancelled_late=False)
        ).order_by("sequence")
    )


def plan_starts(
    plan: CarePlan,
    *,
    first_day: dt.date,
    time: dt.time,
    weekdays: Sequence[Sequence[int]],
) -> list[dt.datetime]:
    """The starts (UTC) for the plan's open visits: phase by phase, ``time`` on that phase's
    ``weekdays`` for the phase's weeks, counted from the day the phase begins (``first_day``
    for the first, then the day after the previous phase's last week), as many as there are
    open visits. A phase of N visits a week for W weeks with N weekdays ticked gives N × W
    starts on whatever weekday it begins."""
    if len(weekdays) != len(plan.phases) or not all(weekdays):
        raise CarePlanError(_("Tick the weekdays of each phase."), field="weekdays")
    _check_start(first_day, "first_day")
    tz = plan.location.tz
    starts: list[dt.datetime] = []
    phase_day = first_day
    for phase, days in zip(plan.phases, weekdays, strict=True):
        starts += series.weeks_from_starts(phase_day, time, days, phase["weeks"], tz)
        phase_day += dt.timedelta(weeks=phase["weeks"])
    return starts[: len(open_visits(plan))]


def check_plan_series(
    plan: CarePlan, *, practitioner: Practitioner, starts: Sequence[dt.datetime]
) -> list[series.Occurrence]:
    """Each start with the reason it cannot be booked, reading only (the series' own check)."""
    return series.plan_series(
        practitioner=practitioner,
        appointment_type=plan.appointment_type,
        location=plan.location,
        starts=starts,
    )


@transaction.atomic
def book_plan_visits(
    plan: CarePlan,
    *,
    practitioner: Practitioner,
    starts: Sequence[dt.datetime],
    by,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Book the plan's open visits as one series (all or none) and link each appointment to
    its planned visit in order; the accepted plan becomes active."""
    plan = _locked(plan)
    if plan.status not in (Status.ACCEPTED, Status.ACTIVE):
        raise CarePlanError(_("Only a plan the patient has accepted can be booked."))
    visits = open_visits(plan)
    if len(starts) > len(visits):
        raise CarePlanError(
            _("The plan has %(count)s visits left to book.") % {"count": len(visits)}
        )
    appointments = series.book_series(
        patient=plan.patient,
        practitioner=practitioner,
        appointment_type=plan.appointment_type,
        location=plan.location,
        starts=starts,
        by=by,
        now=now,
    )
    for visit, appointment in zip(visits, appointments, strict=False):
        visit.appointment = appointment
    PlannedVisit.objects.bulk_update(visits[: len(appointments)], ["appointment"])
    if plan.status == Status.ACCEPTED:
        plan.status = Status.ACTIVE
        plan.status_changed_at = timezone.now()
        plan.save(update_fields=["status", "status_changed_at"])
    return appointments
