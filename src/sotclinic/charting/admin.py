from django.contrib import admin

from .models import ClinicDiagnosisCode


@admin.register(ClinicDiagnosisCode)
class ClinicDiagnosisCodeAdmin(admin.ModelAdmin):
    """The clinic's own diagnosis codes, offered by the note's code search."""

    list_display = ("code", "title", "system")
    list_filter = ("system",)
    search_fields = ("code", "title")
