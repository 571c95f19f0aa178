"""The practice report pages for front desk and practitioners: each page, its CSV and its chart.

Each view writes one aggregate access-log row naming the report and its filters; the figures
come from ``billing.reports``, which aggregates in the database."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_aggregate_access
from sotclinic.money import format_money
from sotclinic.scheduling.models import Practitioner

from . import report_charts, reports
from .ledger import clinic_currency

# A longer period would list hundreds of months on one page and one chart.
MAX_PERIOD_DAYS = 366 * 10
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def validate_report_date(value: dt.date) -> None:
    """Dates a report can count months and days from (not year 9999, the calendar's end)."""
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(_("Choose a date between 1900 and 2199."), code="date_range")


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_report_date],
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_report_date],
    )
    practitioner = forms.ModelChoiceField(
        Practitioner.objects.all(),
        required=False,
        label=gettext_lazy("Practitioner"),
        empty_label=gettext_lazy("All practitioners"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("start", _("Choose a period of at most ten years."))
        return data

    def period(self) -> reports.Period:
        default = reports.default_period()
        data = self.cleaned_data if self.is_valid() else {}
        practitioner = data.get("practitioner")
        start = data.get("start") or default.start
        end = data.get("end") or max(default.end, start)
        return reports.Period(
            start=start, end=end, practitioner_id=practitioner.pk if practitioner else None
        )


def _period(request: HttpRequest) -> tuple[PeriodForm, reports.Period, int]:
    form = PeriodForm(request.GET or None)
    status = 400 if request.GET and not form.is_valid() else 200
    return form, form.period(), status


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _svg(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def _page(request, template: str, form, status: int, **context) -> HttpResponse:
    context.update(form=form, query=request.GET.urlencode(), currency=clinic_currency())
    return render(request, template, context, status=status)


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


# --- Revenue -----------------------------------------------------------------------------------


def _revenue(request: HttpRequest, what: str):
    form, period, status = _period(request)
    report = reports.revenue_report(period)
    log_aggregate_access(
        request, Action.VIEW_PRACTICE_REPORT, f"revenue {what}: {period.describe()}"
    )
    return form, report, status


@staff_required
@require_GET
def revenue(request: HttpRequest) -> HttpResponse:
    form, report, status = _revenue(request, "page")
    return _page(request, "billing/reports/revenue.html", form, status, report=report)


@staff_required
@require_GET
def revenue_csv(request: HttpRequest) -> HttpResponse:
    _form, report, _status = _revenue(request, "csv")
    header = ["month", "practitioner_id", "practitioner", "charged", "credits_and_reversals"]
    header += ["revenue", "currency"]
    currency = clinic_currency()
    rows = [
        [
            r.month.strftime("%Y-%m"),
            r.practitioner_id or "",
            r.practitioner,
            r.charged,
            r.reduced,
            r.revenue,
            currency,
        ]
        for r in report.rows
    ]
    rows += [
        [m.month.strftime("%Y-%m"), "", "payments received", "", "", m.payments, currency]
        for m in report.months
    ]
    return _csv("revenue.csv", header, rows)


@staff_required
@require_GET
def revenue_chart(request: HttpRequest) -> HttpResponse:
    _form, report, _status = _revenue(request, "chart")
    return _svg(report_charts.revenue_svg(report, clinic_currency()))


# --- Accounts receivable -----------------------------------------------------------------------


def _ageing(request: HttpRequest, what: str, limit: int = reports.AGEING_PAGE_ROWS):
    report = reports.ageing_report(limit=limit)
    log_aggregate_access(
        request, Action.VIEW_PRACTICE_REPORT, f"receivables {what}: as of {report.as_of}"
    )
    return report


@staff_required
@require_GET
def receivables(request: HttpRequest) -> HttpResponse:
    report = _ageing(request, "page")
    currency = clinic_currency()
    # The table's cells written here once: a hundred rows of links and five amounts each cost
    # the template engine more than the figures cost the database.
    lines = [
        {
            "url": reverse("patients:detail", args=[r.patient_id]),
            "name": f"{r.last_name}, {r.first_name}",
            "oldest": r.oldest,
            "amounts": [format_money(amount, currency) for amount in (*r.buckets, r.total)],
        }
        for r in report.rows
    ]
    context = {
        "report": report,
        "lines": lines,
        "currency": currency,
        "page_rows": reports.AGEING_PAGE_ROWS,
    }
    return render(request, "billing/reports/receivables.html", context)


# Every patient who owes, not only the first page.
CSV_ROWS = 1_000_000


@staff_required
@require_GET
def receivables_csv(request: HttpRequest) -> HttpResponse:
    report = _ageing(request, "csv", limit=CSV_ROWS)
    header = ["patient_id", "last_name", "first_name", "oldest_unpaid", "days_0_30"]
    header += ["days_31_60", "days_61_90", "days_over_90", "total", "currency"]
    currency = clinic_currency()
    rows = [
        [r.patient_id, r.last_name, r.first_name, r.oldest or "", *r.buckets, r.total, currency]
        for r in report.rows
    ]
    rows.append(["", "total", "", "", *report.totals, report.total, currency])
    return _csv("receivables.csv", header, rows)


@staff_required
@require_GET
def receivables_chart(request: HttpRequest) -> HttpResponse:
    report = _ageing(request, "chart", limit=0)
    return _svg(report_charts.ageing_svg(report, clinic_currency()))


# --- Attendance rates --------------------------------------------------------------------------


def _attendance(request: HttpRequest, what: str):
    form, period, status = _period(request)
    months = reports.attendance_rates(period)
    log_aggregate_access(
        request, Action.VIEW_PRACTICE_REPORT, f"attendance rates {what}: {period.describe()}"
    )
    return form, months, status


@staff_required
@require_GET
def attendance_rates(request: HttpRequest) -> HttpResponse:
    form, months, status = _attendance(request, "page")
    return _page(request, "billing/reports/attendance_rates.html", form, status, months=months)


@staff_required
@require_GET
def attendance_rates_csv(request: HttpRequest) -> HttpResponse:
    _form, months, _status = _attendance(request, "csv")
    header = ["month", "due_visits", "no_shows", "late_cancellations", "no_show_rate"]
    header += ["late_cancel_rate"]
    rows = [
        [
            m.month.strftime("%Y-%m"),
            m.booked,
            m.no_shows,
            m.late_cancellations,
            _rate(m.no_show_rate),
            _rate(m.late_cancel_rate),
        ]
        for m in months
    ]
    return _csv("attendance-rates.csv", header, rows)


@staff_required
@require_GET
def attendance_rates_chart(request: HttpRequest) -> HttpResponse:
    _form, months, _status = _attendance(request, "chart")
    return _svg(report_charts.attendance_svg(months))


# --- Visits per patient and retention ----------------------------------------------------------


def _retention(request: HttpRequest, what: str):
    form, period, status = _period(request)
    report = reports.retention_report(period)
    log_aggregate_access(
        request, Action.VIEW_PRACTICE_REPORT, f"retention {what}: {period.describe()}"
    )
    return form, report, status


@staff_required
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    form, report, status = _retention(request, "page")
    return _page(
        request,
        "billing/reports/retention.html",
        form,
        status,
        report=report,
        days=reports.RETENTION_DAYS,
    )


@staff_required
@require_GET
def retention_csv(request: HttpRequest) -> HttpResponse:
    _form, r, _status = _retention(request, "csv")
    header = ["from", "to", "practitioner_id", "patients_seen", "visits", "visits_per_patient"]
    header += ["seen_last_90_days", "seen_90_days_before", "seen_in_both", "retention"]
    per_patient = "" if r.visits_per_patient is None else f"{r.visits_per_patient:.2f}"
    row = [r.period.start, r.period.end, r.period.practitioner_id or "", r.patients, r.visits]
    row += [per_patient, r.recent, r.prior, r.returning, _rate(r.retention)]
    return _csv("retention.csv", header, [row])
