"""The staff waitlist page: who waits for which time, adding a patient's wish, removing one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access, log_aggregate_access
from sotclinic.errors import DomainError
from sotclinic.next_url import safe_next
from sotclinic.patients.models import Patient
from sotclinic.refusals import show_on_form

from . import waitlist
from .forms import WaitlistFilterForm, WaitlistForm
from .models import AppointmentType, Practitioner, WaitlistEntry


def _days_text(entry: WaitlistEntry) -> str:
    days = entry.weekday_list
    if len(days) == 7:
        return str(_("Every day"))
    return ", ".join(str(WEEKDAYS_ABBR[d]) for d in days)


@staff_required
@require_GET
def waitlist_page(request: HttpRequest) -> HttpResponse:
    """The waitlist, longest waiting first, by state, practitioner and type."""
    form = WaitlistFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    state = filters.get("state") or "open"
    practitioner, kind = filters.get("practitioner"), filters.get("appointment_type")
    entries = list(
        waitlist.waitlist(
            state=state,
            practitioner_id=practitioner and practitioner.pk,
            appointment_type_id=kind and kind.pk,
        )[:200]
    )
    for entry in entries:
        entry.days_text = _days_text(entry)
    # The page names patients: one row for the view, with its filters.
    log_aggregate_access(
        request,
        Action.VIEW_WAITLIST,
        f"waitlist: state={state} practitioner={practitioner and practitioner.pk or 'all'} "
        f"type={kind and kind.pk or 'all'}",
    )
    return render(
        request,
        "scheduling/waitlist.html",
        {"form": form, "entries": entries, "state": state},
    )


@staff_required
def waitlist_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Front desk puts a patient on the waitlist (from the patient's page)."""
    patient = get_object_or_404(Patient, pk=patient_id)
    form = WaitlistForm(
        request.POST if request.method == "POST" else None,
        kinds=AppointmentType.objects.filter(active=True),
        practitioners=Practitioner.objects.filter(active=True),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                entry = waitlist.add_to_waitlist(
                    patient=patient,
                    source=WaitlistEntry.Source.STAFF,
                    by=request.user,
                    **form.wish(),
                )
            except DomainError as exc:
                status = show_on_form(form, exc)
            else:
                log_access(request, patient, Action.ADD_TO_WAITLIST, f"waitlist entry {entry.pk}")
                messages.success(request, _("Added to the waitlist."))
                return redirect("scheduling:waitlist")
    log_access(request, patient, Action.VIEW_PATIENT, "waitlist form")
    return render(
        request, "scheduling/waitlist_add.html", {"form": form, "patient": patient}, status=status
    )


@staff_required
@require_POST
def waitlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    if waitlist.remove_from_waitlist(entry, by=request.user):
        log_access(request, entry.patient_id, Action.REMOVE_FROM_WAITLIST, f"waitlist entry {pk}")
        messages.success(request, _("Removed from the waitlist."))
    else:
        messages.info(request, _("This entry was closed already."))
    return redirect(safe_next(request, reverse("scheduling:waitlist")))
