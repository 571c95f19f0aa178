"""The app's URLs plus the baseline: a trivial view that reads one row."""

import datetime as dt

from django.http import HttpRequest, JsonResponse
from django.urls import path

from sotclinic.patients.models import Patient
from sotclinic.urls import urlpatterns as app_urlpatterns


def trivial(request: HttpRequest, pk: int) -> JsonResponse:
    patient = Patient.objects.get(pk=pk)
    return JsonResponse({"id": patient.pk, "last_name": patient.last_name})


def make_baseline_row() -> int:
    patient, _ = Patient.objects.get_or_create(
        first_name="Baseline", last_name="Row", date_of_birth=dt.date(1970, 1, 1)
    )
    return patient.pk


urlpatterns = [path("bench/trivial/<int:pk>", trivial), *app_urlpatterns]
