from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .admin_site import ReadOnlyAdmin
from .models import AccountEvent, User


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("role",)}))
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    """Read-only, and for superusers only: the log is looked at here, never changed."""

    list_display = ("occurred_at", "user", "kind", "by_name")
    list_filter = ("kind",)
    search_fields = ("user__username", "by_name")
    list_select_related = ("user",)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
