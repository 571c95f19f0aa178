from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from sotclinic.accounts.access import practitioner_required
from sotclinic.patients.models import Patient
from sotclinic.query_params import page_param

from .models import AccessLog, Action
from .services import record_access


@practitioner_required
@require_GET
def patient_log(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Who viewed or changed this patient's chart, newest first."""
    patient = get_object_or_404(Patient, pk=patient_id)
    record_access(request, patient, Action.VIEW_AUDIT, "access log")
    rows = AccessLog.objects.filter(patient=patient).select_related("user")
    page = Paginator(rows, 100).get_page(page_param(request.GET))
    return render(request, "audit/patient_log.html", {"patient": patient, "page": page})
