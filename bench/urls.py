"""The app's URLs plus two baselines: a trivial view that reads one row, and the signed-in
floor — what every staff page pays before its own work."""

import datetime as dt

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.patients.models import Patient
from sotclinic.urls import urlpatterns as app_urlpatterns


def trivial(request: HttpRequest, pk: int) -> JsonResponse:
    patient = Patient.objects.get(pk=pk)
    return JsonResponse({"id": patient.pk, "last_name": patient.last_name})


@staff_required
def floor(request: HttpRequest, pk: int) -> HttpResponse:
    """Session, user, the two-factor check, one access-log row and the base layout: the least
    a staff page showing one patient's record can cost."""
    log_access(request, pk, Action.VIEW_PATIENT, "benchmark floor")
    return render(request, "base.html", {})


def make_baseline_row() -> int:
    patient, _ = Patient.objects.get_or_create(
        first_name="Baseline", last_name="Row", date_of_birth=dt.date(1970, 1, 1)
    )
    return patient.pk


urlpatterns = [
    path("bench/trivial/<int:pk>", trivial),
    path("bench/floor/<int:pk>", floor),
    *app_urlpatterns,
]
