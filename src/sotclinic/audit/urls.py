from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("patients/<int:patient_id>/access-log/", views.patient_log, name="patient_log"),
]
