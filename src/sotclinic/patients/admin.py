from django.contrib import admin

from sotclinic.audit.admin import PatientAccessAdmin

from .models import Patient


@admin.register(Patient)
class PatientAdmin(PatientAccessAdmin):
    patient_field = None
    list_display = ("last_name", "first_name", "date_of_birth", "email", "phone")
    search_fields = ("last_name", "first_name", "email")
