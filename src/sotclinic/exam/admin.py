from django.contrib import admin

from sotclinic.accounts.admin_site import ReadOnlyAdmin

from .models import ProtocolTableOverride


@admin.register(ProtocolTableOverride)
class ProtocolTableOverrideAdmin(ReadOnlyAdmin):
    list_display = ("updated_at", "updated_by", "is_reset")
    readonly_fields = ("table", "updated_by", "updated_at")
