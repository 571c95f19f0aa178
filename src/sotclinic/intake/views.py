"""Intake pages: the patient's steps (signed link or clinic tablet), follow-up questionnaires,
and the practitioner's red-flag handling page."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sotclinic.accounts.access import practitioner_required, staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.client_address import client_ip
from sotclinic.data_text import shown
from sotclinic.errors import DomainError
from sotclinic.patients.models import Patient
from sotclinic.refusals import refused_back_to
from sotclinic.scheduling.models import Appointment

from . import selectors, services
from .forms import (
    AboutForm,
    ComplaintsForm,
    ConsentText,
    HandlingForm,
    HistoryForm,
    QuestionnaireForm,
    RedFlagForm,
)
from .instruments import instruments_for_complaint
from .models import Intake
from .precautions import red_flag_answers_from_history
from .steps import COMPLAINT_STEPS, STEP_TITLES, applicable_steps, instruments_for

KIOSK_SESSION_KEY = "intake_kiosk"


def _problem(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request, "intake/problem.html", {"message": error.message}, status=error.status_code
    )


def answers_refusals(view):
    """The one place intake pages turn a refused request into a response: the problem page
    with the error's message and status."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return _problem(request, error)

    return wrapper


def _form_for(step: str, intake: Intake, data=None, show_answers: bool = True):
    """The step's form, filled with the answers saved so far unless ``show_answers`` is off.

    On the clinic's tablet it is off: the tablet passes between the patient and the front
    desk, so it never shows an answer back, and only the patient record (which the front desk
    may see anyway) prefills the first step.
    """
    saved = intake if show_answers else Intake(patient=intake.patient)
    if step == "about":
        patient = intake.patient
        initial = saved.demographics or {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth,
            "email": patient.email,
            "phone": patient.phone,
            "address": patient.address,
        }
        return AboutForm(data, initial=initial)
    if step == "history":
        return HistoryForm(data, initial=saved.health_history)
    if step == "complaints":
        initial = ComplaintsForm.initial_from(saved.complaints, saved.complaint_details)
        return ComplaintsForm(data, initial=initial)
    if step == "red_flags":
        return RedFlagForm(
            data,
            initial=saved.red_flag_answers,
            chosen=intake.complaints,
            answered=red_flag_answers_from_history(intake.health_history),
        )
    if step == "questionnaires":
        return QuestionnaireForm(
            data,
            initial=QuestionnaireForm.initial_from(saved.questionnaire_answers),
            instruments=instruments_for(intake.complaints),
        )
    return ConsentText(data, initial={"consent": saved.consent_to_care})


def _step_url(intake: Intake, step: str, token: str | None) -> str:
    if token is None:
        return reverse("intake:kiosk_step", args=[step])
    return reverse("intake:step", args=[token, step])


def _fill(request: HttpRequest, intake: Intake, token: str | None, step: str | None):
    if intake.is_complete:
        if token is None:
            request.session.pop(KIOSK_SESSION_KEY, None)
        urgent = selectors.urgent_advice(intake)
        if urgent:  # the page then says that the answers raised an urgent flag
            log_access(request, intake.patient, Action.VIEW_INTAKE_STEP, f"intake {intake.pk} done")
        context = {"intake": intake, "kiosk": token is None, "urgent": urgent}
        return render(request, "intake/done.html", context)
    steps = applicable_steps(intake)
    if step is None:
        step = next((s for s in steps if s not in intake.steps_done), steps[-1])
        return redirect(_step_url(intake, step, token))
    if step not in steps:
        return redirect(_step_url(intake, steps[0], token))
    if step in COMPLAINT_STEPS and not intake.complaints:
        messages.info(request, _("First tell us what brings you in."))
        return redirect(_step_url(intake, "complaints", token))

    kiosk = token is None
    form = _form_for(
        step, intake, request.POST if request.method == "POST" else None, show_answers=not kiosk
    )
    if request.method == "POST" and form.is_valid():
        outcome = services.save_step(
            intake,
            step,
            form.section(),
            actor=request.user,
            channel=services.Channel.KIOSK if kiosk else services.Channel.LINK,
            client_ip=client_ip(request),
        )
        if outcome.problem:
            messages.error(request, outcome.problem)
        return redirect(_step_url(intake, outcome.next_step or step, token))

    if request.method == "GET":
        log_access(request, intake.patient, Action.VIEW_INTAKE_STEP, f"intake {intake.pk} {step}")
    index = steps.index(step)
    context = {
        "intake": intake,
        "form": form,
        "step": step,
        "title": STEP_TITLES[step],
        "number": index + 1,
        "count": len(steps),
        "steps": [(s, STEP_TITLES[s], s in intake.steps_done) for s in steps],
        "previous": _step_url(intake, steps[index - 1], token) if index else None,
        "token": token,
        "kiosk": kiosk,
        "urgent": selectors.urgent_advice(intake),
        # On the tablet a step already answered comes up empty; this keeps those answers.
        "keep_url": (
            _step_url(intake, steps[index + 1], token)
            if kiosk and step in intake.steps_done and step != steps[-1]
            else None
        ),
        "last": step == steps[-1],
        "gaps": _gaps(intake) if step == "questionnaires" else [],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, f"intake/step_{step}.html", context, status=status)


def _gaps(intake: Intake) -> list[str]:
    return [g for c in intake.complaints if (g := instruments_for_complaint(c).gap)]


@answers_refusals
def fill(request: HttpRequest, token: str, step: str | None = None) -> HttpResponse:
    """The intake through the signed link sent to the patient."""
    return _fill(request, services.intake_for_token(token), token, step)


@answers_refusals
def kiosk(request: HttpRequest, step: str | None = None) -> HttpResponse:
    """The intake on the clinic's tablet: only the intake this session was opened for."""
    intake_id = request.session.get(KIOSK_SESSION_KEY)
    intake = Intake.objects.select_related("patient").filter(pk=intake_id).first()
    if intake is None:
        raise services.BadIntakeLink(_("No intake is open on this device. Ask at the front desk."))
    return _fill(request, intake, None, step)


@staff_required
@require_POST
def start_kiosk(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Staff open a patient's intake on the tablet; the staff session ends, so the tablet
    shows nothing but this patient's intake."""
    patient = get_object_or_404(Patient, pk=patient_id)
    intake = services.start_kiosk_intake(patient, request.user, client_ip(request))
    logout(request)
    request.session[KIOSK_SESSION_KEY] = intake.pk
    return redirect("intake:kiosk")


def _appointment_page(appointment_id: int) -> str:
    return reverse("scheduling:appointment", args=[appointment_id])


@staff_required
@require_POST
@refused_back_to(lambda request, appointment_id: _appointment_page(appointment_id))
def send_intake_link(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Front desk sends (or sends again) the intake link from the appointment page."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    services.send_intake_link(appointment)
    messages.success(request, _("Intake link sent to the patient."))
    return redirect("scheduling:appointment", appointment_id)


@require_POST
def end_kiosk(request: HttpRequest) -> HttpResponse:
    """End the tablet session: answers saved so far stay, the intake is no longer open on this
    device, and staff must log in again to use it."""
    intake_id = request.session.get(KIOSK_SESSION_KEY)
    intake = Intake.objects.filter(pk=intake_id).select_related("patient").first()
    if intake is not None:
        log_access(request, intake.patient, Action.INTAKE_KIOSK_END, f"intake {intake.pk}")
    request.session.flush()
    return render(request, "intake/kiosk_ended.html")


@answers_refusals
def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    """Follow-up questionnaires through the signed link e-mailed by ``sendfollowups``."""
    follow = services.follow_up_for_token(token)
    if follow.completed_at is not None:
        return render(request, "intake/follow_up_done.html", {"follow": follow})
    instruments = services.follow_up_instruments(follow)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None, instruments=instruments
    )
    if request.method == "POST" and form.is_valid():
        services.submit_follow_up(
            follow.pk, form.section(), actor=request.user, client_ip=client_ip(request)
        )
        return redirect("intake:follow_up", token=token)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/follow_up.html", {"form": form, "follow": follow}, status=status)


@practitioner_required
@answers_refusals
def red_flags(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A patient's red flags, and a form per open flag to record how it was handled."""
    patient = get_object_or_404(Patient, pk=patient_id)
    form, form_for = HandlingForm(), None
    if request.method == "POST":
        finding = get_object_or_404(
            selectors.open_red_flags(patient), pk=request.POST.get("finding")
        )
        form, form_for = HandlingForm(request.POST, prefix=f"f{finding.pk}"), finding.pk
        if form.is_valid():
            services.record_red_flag_handling(
                finding.pk,
                request.user,
                form.cleaned_data["handling"],
                form.cleaned_data["note"],
                client_ip=client_ip(request),
            )
            messages.success(
                request,
                _("Recorded how “%(title)s” was handled.") % {"title": shown(finding.title)},
            )
            return redirect("intake:red_flags", patient_id=patient.pk)
    else:
        log_access(request, patient, Action.VIEW_RED_FLAGS, "red flags")
    findings = list(selectors.red_flags(patient))
    rows = [(f, form if f.pk == form_for else HandlingForm(prefix=f"f{f.pk}")) for f in findings]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "intake/red_flags.html",
        {"patient": patient, "rows": rows, "intake": selectors.latest_complete_intake(patient)},
        status=status,
    )


@practitioner_required
def patient_intakes(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Everything the patient gave in each intake, and what the screen found."""
    patient = get_object_or_404(Patient, pk=patient_id)
    records = selectors.intake_records(patient)
    log_access(request, patient, Action.VIEW_INTAKES, f"{len(records)} intakes")
    return render(request, "intake/patient_intakes.html", {"patient": patient, "records": records})
