from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sotclinic.accounts.access import patient_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.scheduling.models import (
    Appointment,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
)


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


@patient_required
def patient_home(request: HttpRequest) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    upcoming = (
        Appointment.objects.filter(patient=patient, start__gte=timezone.now())
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("practitioner", "appointment_type", "location")
        if patient
        else []
    )
    if patient:
        log_access(request, patient, Action.VIEW_OWN_APPOINTMENTS, "portal home")
    return render(request, "portal/patient_home.html", {"patient": patient, "upcoming": upcoming})
