"""Outcome pages for practitioners: one patient's trends and the practice dashboard."""

from __future__ import annotations

import csv

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.accounts.access import practitioner_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access, log_aggregate_access
from sotclinic.intake.steps import complaint_titles
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Practitioner

from . import selectors
from .charts import trend_svg


@practitioner_required
def patient_outcomes(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    trends = selectors.patient_trends(patient)
    log_access(request, patient, Action.VIEW_OUTCOMES, "outcome scores")
    return render(request, "outcomes/patient.html", {"patient": patient, "trends": trends})


@practitioner_required
def patient_chart(request: HttpRequest, patient_id: int, instrument_id: str) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    trend = next((t for t in selectors.patient_trends(patient) if t.slug == instrument_id), None)
    if trend is None:
        raise Http404("No scores for this questionnaire.")
    log_access(request, patient, Action.VIEW_OUTCOMES, f"chart {instrument_id}")
    response = HttpResponse(trend_svg(trend), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


class DashboardFilterForm(forms.Form):
    complaint = forms.ChoiceField(required=False, label=gettext_lazy("Complaint"))
    practitioner = forms.ModelChoiceField(
        Practitioner.objects.all(),
        required=False,
        label=gettext_lazy("Practitioner"),
        empty_label=gettext_lazy("All practitioners"),
    )
    start = forms.DateField(
        label=gettext_lazy("Intake from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Intake to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["complaint"].choices = [
            ("", gettext_lazy("All complaints")),
            *complaint_titles().items(),
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def filters(self) -> selectors.DashboardFilters:
        data = self.cleaned_data if self.is_valid() else {}
        practitioner = data.get("practitioner")
        return selectors.DashboardFilters(
            complaint=data.get("complaint") or None,
            practitioner_id=practitioner.pk if practitioner else None,
            start=data.get("start"),
            end=data.get("end"),
        )


def _dashboard_data(request: HttpRequest, action: Action):
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    summaries = selectors.dashboard(filters)
    # An aggregate shows no one patient's data: one row names what was viewed, with its filters.
    log_aggregate_access(request, action, f"outcomes dashboard: {filters.describe()}")
    return form, summaries


@practitioner_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, summaries = _dashboard_data(request, Action.VIEW_OUTCOMES_DASHBOARD)
    context = {
        "form": form,
        "summaries": summaries,
        "small_sample": selectors.SMALL_SAMPLE,
        "query": request.GET.urlencode(),
    }
    return render(request, "outcomes/dashboard.html", context)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@practitioner_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form, summaries = _dashboard_data(request, Action.EXPORT_OUTCOMES)
    filters = form.filters()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "instrument",
            "version",
            "complaint",
            "practitioner_id",
            "intake_from",
            "intake_to",
            "patients_with_baseline_and_follow_up",
            "reached_mcid",
            "mcid_points",
            "share_reached_mcid",
            "ci95_low",
            "ci95_high",
            "median_improvement",
            "small_sample",
        ]
    )
    for s in summaries:
        interval = s.interval if s.has_mcid else None
        writer.writerow(
            [
                s.instrument.id,
                s.instrument.version,
                filters.complaint or "all",
                filters.practitioner_id or "all",
                filters.start or "",
                filters.end or "",
                s.patients,
                s.reached if s.has_mcid else "",
                _fmt(s.instrument.mcid.points, 0) if s.has_mcid else "",
                _fmt(s.share, 3) if s.has_mcid else "",
                _fmt(interval[0], 3) if interval else "",
                _fmt(interval[1], 3) if interval else "",
                _fmt(s.median_change),
                "yes" if s.small_sample else "no",
            ]
        )
    return response
