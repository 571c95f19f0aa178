from django.urls import path

from . import views

app_name = "patients"

# The list and the patient page (patients:list, patients:detail) show appointments too: they
# are staff pages (sotclinic.staff), mounted in this namespace by the root URLconf.

urlpatterns = [
    path("patients/new/", views.patient_new, name="new"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="edit"),
]
