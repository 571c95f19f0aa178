from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log can be looked at in the back office, never changed there."""

    list_display = ("occurred_at", "username", "patient", "action", "detail", "ip_address")
    list_filter = ("action",)
    search_fields = ("username", "patient__last_name")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
