"""Staff pages that show several apps at once: the day list, the patient list and page, and a
patient's access log. They sit above every app they read (see the layers in DESIGN.md), so
no app below has to import the apps above it to draw them."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sotclinic.accounts.access import practitioner_required, staff_required
from sotclinic.audit.models import AccessLog, Action
from sotclinic.audit.requests import log_access
from sotclinic.billing.care_plan_adherence import patient_plans
from sotclinic.billing.models import Account
from sotclinic.billing.packages import usable_packages
from sotclinic.charting.selectors import day_visit_columns
from sotclinic.intake.selectors import patients_with_open_red_flags
from sotclinic.patients import selectors
from sotclinic.patients.forms import PatientSearchForm
from sotclinic.patients.models import Patient
from sotclinic.query_params import page_param
from sotclinic.scheduling.attendance import patient_attendance
from sotclinic.scheduling.selectors import (
    day_schedule,
    location_rosters,
    next_appointments,
    patient_appointments,
)

from .day_list import DayRows
from .patient_rows import FIELDS as patient_row_fields
from .patient_rows import patient_rows

PAGE_SIZE = 25


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Open red flags, then today's appointments per practitioner, for each location, in the
    location's time."""
    clinical = request.user.is_practitioner  # the chart and visit links on each appointment
    visits = day_visit_columns() if clinical else None
    locations = []
    for roster in location_rosters():
        location = roster.location
        today = timezone.now().astimezone(location.tz).date()
        columns = day_schedule(today, location, also=visits, practitioners=roster.practitioners)
        locations.append({"location": location, "day": today, "columns": columns})
    rows = DayRows(clinical=clinical, csrf_token=get_token(request) if clinical else "")
    for block in locations:
        block["columns"] = [
            {
                "practitioner": c.practitioner,
                "rows": rows.html(c.appointments, block["location"].tz),
            }
            for c in block["columns"]
        ]
    flagged = patients_with_open_red_flags()
    if request.user.is_practitioner:  # they see what each flag is: a read of the chart
        for entry in flagged:
            log_access(request, entry.patient, Action.VIEW_RED_FLAGS, "staff home")
    context = {"locations": locations, "flagged": flagged}
    return render(request, "scheduling/staff_home.html", context)


@staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """Find a patient by name, e-mail, phone or date of birth.

    Searches are not written to the access log: a log row names one patient, and a search
    names none.
    """
    form = PatientSearchForm(request.GET or None)
    raw = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.search_page(raw, patient_row_fields, page_param(request.GET), PAGE_SIZE)
    upcoming = next_appointments(patient.id for patient in page.object_list)
    context = {
        "form": form,
        "q": raw,
        "page": page,
        "rows": patient_rows(page.object_list, upcoming),
        "query": selectors.parse_query(raw),
    }
    return render(request, "patients/list.html", context)


@staff_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Demographics, contact consent and appointments; clinical links for practitioners."""
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.VIEW_PATIENT)
    upcoming, past = patient_appointments(patient)
    context = {
        "patient": patient,
        "upcoming": upcoming,
        "past": past,
        "attendance": patient_attendance(patient),
        "care_plans": patient_plans(patient),
        "account": Account.objects.filter(patient=patient).first(),
        "packages": usable_packages(patient),
    }
    return render(request, "patients/detail.html", context)


@practitioner_required
@require_GET
def patient_log(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Who viewed or changed this patient's chart, newest first."""
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.VIEW_AUDIT, "access log")
    rows = AccessLog.objects.filter(patient=patient).select_related("user")
    page = Paginator(rows, 100).get_page(page_param(request.GET))
    return render(request, "audit/patient_log.html", {"patient": patient, "page": page})
