from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_new, name="new"),
    path("patients/<int:patient_id>/", views.patient_detail, name="detail"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="edit"),
]
