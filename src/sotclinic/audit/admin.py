from django.contrib import admin

from sotclinic.accounts.admin_site import ReadOnlyAdmin

from .models import AccessLog, Action
from .requests import log_access


class PatientAccessAdmin(admin.ModelAdmin):
    """The base of every back-office page that shows a patient's personal or clinical data.

    Opening an object (change form, delete confirmation, history) is logged as a read of its
    patient, and every add, change or delete as a write, so the back office leaves the same
    trail as the staff pages. ``patient_field`` names the foreign key to the patient; ``None``
    means the object is the patient.
    """

    patient_field: str | None = "patient"

    def audited_patient_id(self, obj) -> int | None:
        if self.patient_field is None:
            return obj.pk
        return getattr(obj, f"{self.patient_field}_id", None)

    def _record(self, request, obj, action: Action, detail: str = "") -> None:
        patient_id = self.audited_patient_id(obj)
        if patient_id is not None:
            what = f"{obj._meta.model_name} {obj.pk}"
            log_access(request, patient_id, action, f"{what} {detail}".strip())

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._record(request, obj, Action.ADMIN_VIEW)
        return obj

    def save_model(self, request, obj, form, change):
        self.save_object(request, obj, form, change)
        # Field names only: the values are the patient's data.
        fields = ", ".join(form.changed_data) if change else ""
        self._record(request, obj, Action.ADMIN_CHANGE if change else Action.ADMIN_ADD, fields)

    def save_object(self, request, obj, form, change) -> None:
        """The write itself; an admin whose model has a service saves through it here."""
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self._record(request, obj, Action.ADMIN_DELETE)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, Action.ADMIN_DELETE)
        super().delete_queryset(request, queryset)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, PatientAccessAdmin):
    """Read-only: the log can be looked at in the back office, never changed there."""

    list_display = (
        "occurred_at",
        "username",
        "client",
        "patient",
        "action",
        "detail",
        "ip_address",
    )
    list_filter = ("action",)
    search_fields = ("username", "client", "patient__last_name")
