"""The back office (``/admin/``) signs in through the clinic's own log-in and code step."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from sotclinic.next_url import safe_next

from .access import second_factor_missing
from .two_factor import must_enrol, needs_code


class ClinicAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """The second factor as on staff pages: a code in this session for whoever has a
        device, and a device first when the clinic requires two-factor sign-in."""
        return (
            super().has_permission(request)
            and not needs_code(request.user)
            and not must_enrol(request.user)
        )

    def login(self, request, extra_context=None):
        # The admin's own password form would skip the code step, so it is never shown.
        next_url = safe_next(request, reverse("admin:index", current_app=self.name))
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if missing := second_factor_missing(request, next_url):
            return missing
        if self.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied("Your account may not open the back office.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """A back-office page for an append-only table: rows are looked at here, never added,
    changed or deleted (the database refuses those too)."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
