"""The back office (``/admin/``) signs in through the clinic's own log-in and code step."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .access import verify_url
from .two_factor import needs_code


class ClinicAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Superusers with a device must have entered a code in this session, too."""
        return super().has_permission(request) and not needs_code(request.user)

    def login(self, request, extra_context=None):
        # The admin's own password form would skip the code step, so it is never shown.
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if needs_code(request.user):
            return redirect(verify_url(next_url))
        if self.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied("Your account may not open the back office.")
