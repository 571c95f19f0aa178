from django.contrib import admin

from .models import ProtocolTableOverride


@admin.register(ProtocolTableOverride)
class ProtocolTableOverrideAdmin(admin.ModelAdmin):
    list_display = ("updated_at", "updated_by", "is_reset")
    readonly_fields = ("table", "updated_by", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
