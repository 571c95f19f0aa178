from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("patients/<int:patient_id>/outcomes/", views.patient_outcomes, name="patient"),
    path(
        "patients/<int:patient_id>/outcomes/<slug:instrument_id>.svg",
        views.patient_chart,
        name="chart",
    ),
    path("outcomes/", views.dashboard, name="dashboard"),
    path("outcomes/export.csv", views.dashboard_csv, name="dashboard_csv"),
]
