"""The staff superbill page: find a patient, choose the period, download or e-mail the PDF."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.patients.models import Patient
from sotclinic.patients.selectors import search_patients
from sotclinic.scheduling.selectors import clinic_today

from .errors import BillingError
from .report_views import validate_report_date
from .superbill import check_period, email_superbill, render_pdf, superbill_for

SEARCH_ROWS = 20


class SuperbillForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_report_date],
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_report_date],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            try:
                check_period(data["start"], data["end"])
            except BillingError as error:
                self.add_error("end", error.message)
        return data


def _initial() -> dict:
    today = clinic_today()
    return {"start": dt.date(today.year, 1, 1), "end": today}


@staff_required
def find_patient(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = list(search_patients(query)[:SEARCH_ROWS]) if query else []
    return render(request, "billing/superbill_find.html", {"query": query, "found": found})


@staff_required
def superbill(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the form; POST: the PDF, or with action=email the PDF e-mailed to the patient."""
    patient = get_object_or_404(Patient, pk=patient_id)
    data = request.POST if request.method == "POST" else None
    form = SuperbillForm(data, initial=_initial())
    if data is not None and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        period = f"{start.isoformat()} to {end.isoformat()}"
        if data.get("action") == "email":
            try:
                email_superbill(patient, start, end)
            except BillingError as error:
                messages.error(request, error.message)
                return _form_page(request, patient, form, status=422)
            log_access(request, patient, Action.EMAIL_SUPERBILL, f"superbill {period}")
            messages.success(
                request, _("The superbill is on its way to %(email)s.") % {"email": patient.email}
            )
            return redirect("reports:superbill_patient", patient.pk)
        bill = superbill_for(patient, start, end)
        log_access(request, patient, Action.DOWNLOAD_SUPERBILL, f"superbill {period}")
        response = HttpResponse(render_pdf(bill), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{bill.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return _form_page(request, patient, form, status=400 if data is not None else 200)


def _form_page(request, patient, form, status: int) -> HttpResponse:
    log_access(request, patient, Action.VIEW_ACCOUNT, "superbill form")
    context = {"patient": patient, "form": form}
    return render(request, "billing/superbill.html", context, status=status)
