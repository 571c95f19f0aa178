"""The practice reports and the superbill, under /staff/ in the "reports" namespace."""

from django.urls import path

from . import report_views, superbill_views

app_name = "reports"

urlpatterns = [
    path("reports/revenue/", report_views.revenue, name="revenue"),
    path("reports/revenue.csv", report_views.revenue_csv, name="revenue_csv"),
    path("reports/revenue.svg", report_views.revenue_chart, name="revenue_chart"),
    path("reports/receivables/", report_views.receivables, name="receivables"),
    path("reports/receivables.csv", report_views.receivables_csv, name="receivables_csv"),
    path("reports/receivables.svg", report_views.receivables_chart, name="receivables_chart"),
    path("reports/attendance-rates/", report_views.attendance_rates, name="attendance_rates"),
    path(
        "reports/attendance-rates.csv",
        report_views.attendance_rates_csv,
        name="attendance_rates_csv",
    ),
    path(
        "reports/attendance-rates.svg",
        report_views.attendance_rates_chart,
        name="attendance_rates_chart",
    ),
    path("reports/retention/", report_views.retention, name="retention"),
    path("reports/retention.csv", report_views.retention_csv, name="retention_csv"),
    path("reports/superbill/", superbill_views.find_patient, name="superbill"),
    path(
        "patients/<int:patient_id>/superbill/",
        superbill_views.superbill,
        name="superbill_patient",
    ),
]
