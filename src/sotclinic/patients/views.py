from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.client_address import client_ip
from sotclinic.errors import DomainError
from sotclinic.refusals import show_on_form

from . import services
from .forms import PatientForm
from .models import Patient


def _save(request: HttpRequest, form: PatientForm, patient: Patient | None):
    """Run the service for a valid form; a duplicate comes back as a form error."""
    data = form.cleaned_data
    allow, user, address = data.get("create_anyway", False), request.user, client_ip(request)
    try:
        if patient is None:
            return services.register_patient(user, data, allow_duplicate=allow, address=address)
        return services.update_patient(
            user, patient.pk, data, allow_duplicate=allow, address=address
        )
    except DomainError as exc:
        show_on_form(form, exc)
        form.duplicate = getattr(exc, "existing", None)
        return None


def _edit(request: HttpRequest, patient: Patient | None) -> HttpResponse:
    name = patient.full_name if patient else ""  # validation changes the instance in memory
    form = PatientForm(request.POST or None, instance=patient)
    form.duplicate = None
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, patient)
        if saved is not None:
            messages.success(request, "Patient registered." if patient is None else "Saved.")
            return redirect("patients:detail", patient_id=saved.pk)
    if patient is not None and request.method == "GET":
        # The empty form shows every detail on file; a save is logged by the service, and a
        # refused one shows back only what was sent.
        log_access(request, patient, Action.VIEW_PATIENT, "edit form")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "name": name, "duplicate": form.duplicate}
    return render(request, "patients/form.html", context, status=status)


@staff_required
def patient_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@staff_required
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Patient, pk=patient_id))
