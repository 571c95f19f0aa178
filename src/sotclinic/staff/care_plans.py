"""Care plan pages: the clinic's templates, prescribing a patient's plan, the plan page with
its adherence, handing the tablet to the patient to sign, booking the plan's visits as a series,
the signed PDF, and the worklist of patients falling behind their plans."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import practitioner_required, staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access, log_aggregate_access
from sotclinic.billing import care_plans
from sotclinic.billing.care_plan_adherence import (
    BEHIND_THRESHOLD,
    plan_adherence,
    plans_falling_behind,
)
from sotclinic.billing.models import CarePlan, CarePlanTemplate
from sotclinic.client_address import client_ip
from sotclinic.errors import DomainError
from sotclinic.money import format_money
from sotclinic.patients.models import Patient
from sotclinic.refusals import refused_back_to, show_on_form
from sotclinic.scheduling.forms import settled_series_starts
from sotclinic.scheduling.models import Practitioner
from sotclinic.scheduling.selectors import clinic_today
from sotclinic.signatures import SigningForm, document_sha256

from .care_plan_forms import (
    PlanBookingForm,
    PlanForm,
    ReplacementForm,
    ScheduleFields,
    TemplateForm,
)

SIGNING_SESSION_KEY = "care_plan_signing"


# --- Templates -----------------------------------------------------------------------------


@practitioner_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = CarePlanTemplate.objects.order_by("-active", "name")
    return render(request, "staff/care_plans/templates.html", {"templates": templates})


@practitioner_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    """A new template, or a change to one: phases, re-exams, appointment type, services."""
    template = get_object_or_404(CarePlanTemplate, pk=template_id) if template_id else None
    initial = {}
    if template is not None:
        initial = {
            "name": template.name,
            "description": template.description,
            "appointment_type": template.appointment_type_id,
            "services": [s.pk for s in template.services.all()],
            "active": template.active,
            **ScheduleFields.initial_schedule(template.phases, template.reexam_visits),
        }
    form = TemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                care_plans.save_template(
                    by=request.user,
                    template=template,
                    name=data["name"],
                    description=data["description"],
                    phases=data["phases"],
                    reexam_visits=data["reexam_visits"],
                    appointment_type=data["appointment_type"],
                    services=data["services"],
                    active=data["active"],
                )
                messages.success(request, _("Template saved."))
                return redirect("care_plans:templates")
            except DomainError as exc:
                status = show_on_form(form, exc, field="phase1_per_week")
    context = {"form": form, "template": template}
    return render(request, "staff/care_plans/template_form.html", context, status=status)


# --- Prescribing ---------------------------------------------------------------------------


def _plan_initial(request: HttpRequest) -> dict:
    initial: dict = {"start_date": timezone.localdate()}
    practitioner = Practitioner.objects.filter(user=request.user).first()
    if practitioner is not None:
        initial["practitioner"] = practitioner.pk
        location = practitioner.locations.order_by("name").first()
        initial["location"] = location.pk if location else None
    asked = request.GET.get("template", "")
    template = (
        CarePlanTemplate.objects.filter(pk=asked, active=True).first() if asked.isdigit() else None
    )
    if template is not None:
        values = care_plans.template_initial(template)
        initial.update(
            {k: v for k, v in values.items() if k not in ("phases", "reexam_visits")},
            **ScheduleFields.initial_schedule(values["phases"], values["reexam_visits"]),
        )
    return initial


def _plan_fields(data: dict) -> dict:
    """The plan form's answers as the arguments a new or revised plan is written from."""
    return {
        "practitioner": data["practitioner"],
        "location": data["location"],
        "appointment_type": data["appointment_type"],
        "phases": data["phases"],
        "reexam_visits": data["reexam_visits"],
        "start_date": data["start_date"],
        "services": data["services"],
        "name": data["name"],
        "notes": data["notes"],
        "goals": [care_plans.GoalRequest(*goal) for goal in data["goals"]],
    }


@practitioner_required
def plan_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A practitioner prescribes a plan, from a template or from scratch; it starts as a
    draft."""
    patient = get_object_or_404(Patient, pk=patient_id)
    form = PlanForm(request.POST or None, initial=_plan_initial(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = care_plans.prescribe_plan(
                    patient, by=request.user, template=data["template"], **_plan_fields(data)
                )
            except DomainError as exc:
                status = show_on_form(form, exc, field="phase1_per_week")
            else:
                log_access(request, patient, Action.PRESCRIBE_CARE_PLAN, f"care plan {plan.pk}")
                return redirect("care_plans:detail", plan.pk)
    else:
        log_access(request, patient, Action.VIEW_CARE_PLAN, "new care plan")
    templates = CarePlanTemplate.objects.filter(active=True)
    context = {"form": form, "patient": patient, "templates": templates}
    return render(request, "staff/care_plans/plan_form.html", context, status=status)


def _draft_initial(plan: CarePlan) -> dict:
    initial = {
        **care_plans.plan_initial(plan),
        **ScheduleFields.initial_schedule(plan.phases, plan.reexam_visits),
    }
    for n, goal in enumerate(plan.goals.all(), start=1):
        initial.update(
            {
                f"goal{n}_instrument": goal.instrument_id,
                f"goal{n}_target": goal.target,
                f"goal{n}_note": goal.note,
            }
        )
    return initial


@practitioner_required
@refused_back_to(lambda request, plan_id: reverse("care_plans:detail", args=[plan_id]))
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A practitioner changes a draft plan (its phases, goals, fees); a signed plan never
    changes."""
    plan = get_object_or_404(CarePlan.objects.select_related("patient"), pk=plan_id)
    if plan.status != CarePlan.Status.DRAFT:
        raise care_plans.CarePlanError(_("Only a draft plan can be changed."))
    form = PlanForm(request.POST or None, initial=_draft_initial(plan))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = care_plans.revise_draft(plan, by=request.user, **_plan_fields(data))
            except DomainError as exc:
                status = show_on_form(form, exc, field="phase1_per_week")
            else:
                log_access(request, plan.patient, Action.CHANGE_CARE_PLAN, f"care plan {plan.pk}")
                messages.success(request, _("Draft saved."))
                return redirect("care_plans:detail", plan.pk)
    else:
        log_access(request, plan.patient, Action.VIEW_CARE_PLAN, f"care plan {plan.pk} edit")
    context = {"form": form, "patient": plan.patient, "plan": plan}
    return render(request, "staff/care_plans/plan_form.html", context, status=status)


# --- The plan page -------------------------------------------------------------------------


def _plan(plan_id: int) -> CarePlan:
    return get_object_or_404(
        CarePlan.objects.select_related(
            "patient", "prescribed_by", "location", "appointment_type", "template"
        ),
        pk=plan_id,
    )


@staff_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan, its document, its planned visits with their appointments, and adherence."""
    plan = _plan(plan_id)
    log_access(request, plan.patient, Action.VIEW_CARE_PLAN, f"care plan {plan.pk}")
    visits = plan.visits.select_related("appointment", "appointment__visit", "replaces")
    context = {
        "plan": plan,
        "visits": visits,
        "goals": plan.goals.all(),
        "services": plan.services.all(),
        "adherence": plan_adherence(plan),
        "document": care_plans.plan_document(plan),
        "signature": getattr(plan, "signature", None),
        "estimate": format_money(plan.fee_estimate, plan.currency),
        "fee": format_money(plan.visit_fee, plan.currency),
        "bookable": plan.status in CarePlan.FOLLOWED_STATUSES
        and bool(care_plans.open_visits(plan)),
        "replaceable": {v.pk for v in care_plans.replaceable_visits(plan)}
        if plan.status in CarePlan.FOLLOWED_STATUSES
        else set(),
    }
    return render(request, "staff/care_plans/plan.html", context)


STATUS_ACTIONS = {
    "propose": care_plans.propose_plan,
    "draft": care_plans.return_to_draft,
    "cancel": care_plans.cancel_plan,
    "complete": care_plans.complete_plan,
}


def _plan_page(request, plan_id: int) -> str:
    return reverse("care_plans:detail", args=[plan_id])


@practitioner_required
@require_POST
@refused_back_to(_plan_page)
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Propose a draft to the patient, take it back, cancel or complete it."""
    plan = _plan(plan_id)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise care_plans.CarePlanError(_("Choose what to do with the plan."))
    plan = action(plan, by=request.user)
    log_access(
        request, plan.patient, Action.CHANGE_CARE_PLAN, f"care plan {plan.pk}: {plan.status}"
    )
    messages.success(
        request, _("The plan is now: %(status)s.") % {"status": plan.get_status_display()}
    )
    return redirect("care_plans:detail", plan.pk)


@staff_required
@require_GET
def signed_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    signature = getattr(plan, "signature", None)
    if signature is None:
        raise care_plans.CarePlanError(_("This plan has not been signed."))
    log_access(request, plan.patient, Action.VIEW_CARE_PLAN, f"care plan {plan.pk} signed PDF")
    response = HttpResponse(bytes(signature.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="care-plan-{plan.pk}-signed.pdf"'
    return response


# --- Signing on the tablet -----------------------------------------------------------------


@staff_required
@require_POST
@refused_back_to(_plan_page)
def start_signing(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Staff hand the tablet to the patient: the staff session ends, and the tablet shows
    only this plan's signing page."""
    plan = _plan(plan_id)
    if plan.status != CarePlan.Status.PROPOSED:
        raise care_plans.CarePlanError(_("Propose the plan before the patient signs it."))
    log_access(request, plan.patient, Action.CARE_PLAN_TABLET_START, f"care plan {plan.pk}")
    handed_over_by = request.user.pk
    logout(request)
    request.session[SIGNING_SESSION_KEY] = {"plan": plan.pk, "by": handed_over_by}
    return redirect("care_plans:sign")


def sign(request: HttpRequest) -> HttpResponse:
    """The patient reads the plan in their language, types their name and draws a signature."""
    opened = request.session.get(SIGNING_SESSION_KEY) or {}
    plan = (
        CarePlan.objects.select_related("patient", "prescribed_by", "location")
        .filter(pk=opened.get("plan"))
        .first()
    )
    if plan is None or plan.status != CarePlan.Status.PROPOSED:
        raise care_plans.CarePlanError(_("No care plan is open for signing on this device."))
    language = care_plans.plan_language(plan)
    document = care_plans.plan_document(plan, language)
    form = SigningForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                care_plans.sign_plan(
                    plan,
                    full_name=form.cleaned_data["full_name"],
                    signature_svg=form.cleaned_data["signature"],
                    shown_sha256=form.cleaned_data["document_sha256"],
                    ip_address=client_ip(request),
                    handed_over_by=get_user_model().objects.filter(pk=opened.get("by")).first(),
                )
            except DomainError as exc:
                status = show_on_form(form, exc)
            else:
                log_access(request, plan.patient, Action.SIGN_CARE_PLAN, f"care plan {plan.pk}")
                request.session.flush()
                return render(request, "staff/care_plans/signed.html", {"language": language})
    context = {
        "plan": plan,
        "form": form,
        "document": document,
        "sha256": document_sha256(document),
        "language": language,
    }
    return render(request, "staff/care_plans/sign.html", context, status=status)


# --- Booking -------------------------------------------------------------------------------


@staff_required
def plan_book(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Front desk books the plan's open visits: every time is checked first, conflicts are
    skipped or moved, then all are booked in one transaction and linked to the plan."""
    plan = _plan(plan_id)
    if plan.status not in CarePlan.FOLLOWED_STATUSES:
        raise care_plans.CarePlanError(_("Only a plan the patient has accepted can be booked."))
    initial = {"practitioner": plan.prescribed_by_id, "first_day": plan.start_date}
    form = PlanBookingForm(request.POST or None, initial=initial, phases=plan.phases)
    checked, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "book":
                    starts = settled_series_starts(request.POST, plan.location.tz)
                else:
                    starts = care_plans.plan_starts(
                        plan,
                        first_day=data["first_day"],
                        time=data["time"],
                        weekdays=data["weekdays"],
                    )
                checked = care_plans.check_plan_series(
                    plan, practitioner=data["practitioner"], starts=starts
                )
                if request.POST.get("action") == "book" and not any(o.conflict for o in checked):
                    booked = care_plans.book_plan_visits(
                        plan, practitioner=data["practitioner"], starts=starts, by=request.user
                    )
                    log_access(request, plan.patient, Action.BOOK_CARE_PLAN, f"care plan {plan.pk}")
                    messages.success(
                        request, _("%(count)s appointments booked.") % {"count": len(booked)}
                    )
                    return redirect("care_plans:detail", plan.pk)
                status = 409 if any(o.conflict for o in checked) else 200
            except DomainError as exc:
                status = show_on_form(form, exc, field="first_day")
    else:
        log_access(request, plan.patient, Action.VIEW_CARE_PLAN, f"care plan {plan.pk} booking")
    tz = plan.location.tz
    rows = [
        {"n": i, "occurrence": o, "local": o.start.astimezone(tz)}
        for i, o in enumerate(checked or [])
    ]
    context = {
        "plan": plan,
        "form": form,
        "rows": rows,
        "conflicts": sum(1 for o in checked or [] if o.conflict),
        "open_count": len(care_plans.open_visits(plan)),
    }
    return render(request, "staff/care_plans/book.html", context, status=status)


@staff_required
@refused_back_to(_plan_page)
def replace_visit(request: HttpRequest, plan_id: int, visit_id: int) -> HttpResponse:
    """Front desk books a visit in place of a missed one; it counts toward the plan and the
    missed visit stays missed."""
    plan = _plan(plan_id)
    missed = get_object_or_404(plan.visits.select_related("appointment"), pk=visit_id)
    tz = plan.location.tz
    initial = {"practitioner": plan.prescribed_by_id, "day": clinic_today(plan.location)}
    form = ReplacementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            start = dt.datetime.combine(data["day"], data["time"], tzinfo=tz)
            try:
                visit = care_plans.book_replacement_visit(
                    missed, practitioner=data["practitioner"], start=start, by=request.user
                )
            except DomainError as exc:
                status = show_on_form(form, exc, field="day")
            else:
                log_access(
                    request,
                    plan.patient,
                    Action.BOOK_CARE_PLAN,
                    f"care plan {plan.pk}: visit {visit.sequence} replaces {missed.sequence}",
                )
                messages.success(
                    request,
                    _("Visit %(n)s booked in place of missed visit %(missed)s.")
                    % {"n": visit.sequence, "missed": missed.sequence},
                )
                return redirect("care_plans:detail", plan.pk)
    else:
        log_access(request, plan.patient, Action.VIEW_CARE_PLAN, f"care plan {plan.pk} replace")
    context = {"plan": plan, "missed": missed, "form": form}
    return render(request, "staff/care_plans/replace.html", context, status=status)


# --- Worklist ------------------------------------------------------------------------------


@staff_required
@require_GET
def behind(request: HttpRequest) -> HttpResponse:
    """Patients falling behind their plans: fewer visits done than expected by today (by the
    threshold), or visits remaining and none booked."""
    rows = plans_falling_behind()
    log_aggregate_access(
        request, Action.VIEW_CARE_PLAN_WORKLIST, f"care plans behind: {len(rows)} plans"
    )
    context = {"rows": rows, "threshold": BEHIND_THRESHOLD}
    return render(request, "staff/care_plans/behind.html", context)
