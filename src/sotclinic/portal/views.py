from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import patient_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.billing import documents
from sotclinic.billing.care_plan_adherence import patient_plans, plan_adherence
from sotclinic.billing.care_plans import plan_document
from sotclinic.billing.invoices import invoices_with_payments, patient_receipts
from sotclinic.billing.models import CarePlan
from sotclinic.documents import selectors as document_selectors
from sotclinic.errors import DomainError
from sotclinic.intake.services import due_questionnaires
from sotclinic.query_params import datetime_param
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import BookingError
from sotclinic.scheduling.models import (
    Appointment,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
)
from sotclinic.scheduling.selectors import patient_appointments

from .booking import manage_context, slot_choice

PAST_SHOWN = 10


def home(request: HttpRequest) -> HttpResponse:
    """The clinic's public home page; signed-in staff go straight to their day."""
    if request.user.is_authenticated and request.user.is_clinic_staff:
        return redirect("home")
    return render(
        request,
        "portal/public_home.html",
        {
            "location": Location.objects.order_by("pk").first(),
            "practitioners": Practitioner.objects.filter(active=True),
            "settings": ClinicSettings.load(),
            "faq": FaqEntry.objects.all(),
        },
    )


def _patient(request: HttpRequest):
    """The signed-in patient's own record; 404 when the log-in is tied to none."""
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise Http404("This log-in is not linked to a patient record; please call the clinic.")
    return patient


def _portal(request: HttpRequest, template: str, context: dict, status: int = 200):
    context = {"location": Location.objects.order_by("pk").first(), **context}
    return render(request, template, context, status=status)


@patient_required
@require_GET
def patient_home(request: HttpRequest) -> HttpResponse:
    """The patient's own home: appointments, what to fill in, care plans, invoices and
    receipts. One access-log row for each kind of record shown."""
    patient = getattr(request.user, "patient", None)
    if patient is None:
        return _portal(request, "portal/patient_home.html", {"patient": None})
    upcoming, past = patient_appointments(patient)
    plans = [p for p in patient_plans(patient) if p.plan.status != CarePlan.Status.DRAFT]
    log_access(request, patient, Action.VIEW_OWN_APPOINTMENTS, "portal home")
    log_access(request, patient, Action.VIEW_ACCOUNT, "portal home")
    if plans:
        log_access(request, patient, Action.VIEW_CARE_PLAN, "portal home")
    context = {
        "patient": patient,
        "upcoming": [a for a in upcoming if a.status != Appointment.Status.CANCELLED],
        "past": past[:PAST_SHOWN],
        "due": due_questionnaires(patient),
        "plans": plans,
        "invoices": invoices_with_payments(patient),
        "receipts": patient_receipts(patient),
        "to_sign": list(document_selectors.consents_to_sign(patient)),
        "asked": list(document_selectors.open_requests(patient)),
        "settings": ClinicSettings.load(),
    }
    return _portal(request, "portal/patient_home.html", context)


def _own_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("practitioner", "appointment_type", "location"),
        pk=appointment_id,
        patient=_patient(request),
    )


def _appointment_context(appointment: Appointment) -> dict:
    return {
        **manage_context(appointment),
        "manage_path": reverse("portal:appointment", args=[appointment.pk]),
        "cancel_url": reverse("portal:cancel_appointment", args=[appointment.pk]),
        "move_url": reverse("portal:move_appointment", args=[appointment.pk]),
        "signed_in": True,
    }


@patient_required
@require_GET
def appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """One of the patient's appointments: see it, cancel it or move it within the rules."""
    booked = _own_appointment(request, appointment_id)
    log_access(request, booked.patient, Action.VIEW_APPOINTMENT, f"portal {booked.pk}")
    context = _appointment_context(booked)
    if context["changeable"] and request.GET.get("move"):
        context.update(
            moving=True,
            **slot_choice(
                request,
                booked.appointment_type,
                booked.practitioner_id,
                exclude_appointment_id=booked.pk,
            ),
        )
    return _portal(request, "portal/manage_booking.html", context)


def _refused(request: HttpRequest, booked: Appointment, error: DomainError) -> HttpResponse:
    context = {**_appointment_context(booked), "error": error.message}
    return _portal(request, "portal/manage_booking.html", context, status=error.status_code)


@patient_required
@require_POST
def cancel_appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    booked = _own_appointment(request, appointment_id)
    try:
        services.cancel_appointment(
            booked, by_patient=True, base_url=request.build_absolute_uri("/")
        )
    except DomainError as exc:
        return _refused(request, booked, exc)
    return redirect("portal:appointment", appointment_id=booked.pk)


@patient_required
@require_POST
def move_appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    booked = _own_appointment(request, appointment_id)
    start = datetime_param(request.POST, "start")
    try:
        if start is None:
            raise BookingError(_("Pick a new time from the list."), "start")
        services.move_appointment(
            booked, start, by_patient=True, base_url=request.build_absolute_uri("/")
        )
    except DomainError as exc:
        return _refused(request, booked, exc)
    return redirect("portal:appointment", appointment_id=booked.pk)


@patient_required
@require_GET
def billing_pdf(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """An invoice or receipt of the patient's own account as PDF."""
    patient = _patient(request)
    document = documents.patient_document(patient, kind, pk)
    if document is None:
        raise Http404
    log_access(request, patient, Action.VIEW_BILLING_DOCUMENT, document.filename)
    response = HttpResponse(document.content, content_type=documents.PDF)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@patient_required
@require_GET
def care_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One of the patient's care plans (not drafts): its progress and its text."""
    patient = _patient(request)
    plan = get_object_or_404(
        CarePlan.objects.exclude(status=CarePlan.Status.DRAFT), pk=plan_id, patient=patient
    )
    log_access(request, patient, Action.VIEW_CARE_PLAN, f"portal plan {plan.pk}")
    context = {"plan": plan, "adherence": plan_adherence(plan), "document": plan_document(plan)}
    return _portal(request, "portal/care_plan.html", context)
