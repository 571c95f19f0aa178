"""Two-factor pages: the code step after the password, enrolment and removal."""

import time
from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LoginView, PasswordChangeView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from sotclinic.next_url import safe_next

from .access import verify_url
from .events import recent_account_events
from .forms import CodeForm
from .models import AccountEvent, User
from .two_factor import (
    confirm_app_device,
    confirmed_devices,
    has_confirmed_device,
    may_use_two_factor,
    needs_code,
    pending_app_device,
    qr_code_svg,
    remove_devices,
)

# Between the password and the code the session holds who is signing in, not a log-in.
PENDING_USER = "two-factor-pending-user"
PENDING_BACKEND = "two-factor-pending-backend"
PENDING_SINCE = "two-factor-pending-since"
PENDING_SECONDS = 300
# Where a patient lands after logging in (the portal's home, named, not imported: the portal
# sits above accounts).
PATIENT_HOME = "portal:home"


class ClinicLoginView(LoginView):
    """The password step; users with a confirmed device go on to the code step first."""

    def get_default_redirect_url(self):
        """Without a ``next``, patients land on their own page, staff on their day."""
        if self.request.user.is_authenticated and self.request.user.is_patient:
            return resolve_url(PATIENT_HOME)
        return super().get_default_redirect_url()

    def form_valid(self, form):
        user = form.get_user()
        if not has_confirmed_device(user):
            return super().form_valid(form)
        self.request.session[PENDING_USER] = user.pk
        self.request.session[PENDING_BACKEND] = user.backend
        self.request.session[PENDING_SINCE] = time.time()
        return redirect(verify_url(self.get_success_url()))


class ClinicPasswordChangeView(PasswordChangeView):
    """Change the password; a patient who has only ever logged in by e-mailed link has none
    to give, and sets one instead."""

    def get_form_class(self):
        if self.request.user.has_usable_password():
            return super().get_form_class()
        return SetPasswordForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "setting": not self.request.user.has_usable_password(),
        }


def _pending_user(request: HttpRequest) -> User | None:
    session = request.session
    if time.time() - session.get(PENDING_SINCE, 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=session.get(PENDING_USER), is_active=True).first()


def verify(request: HttpRequest) -> HttpResponse:
    """The code step: after the password, or when a staff page finds the session unverified."""
    next_url = safe_next(request, settings.LOGIN_REDIRECT_URL)
    pending = not request.user.is_authenticated
    user = _pending_user(request) if pending else request.user
    if user is None:
        messages.info(request, _("Log in again to continue."))
        return redirect_to_login(next_url)
    if not pending and not needs_code(user):
        return redirect(next_url)
    form = CodeForm(
        request.POST or None, user=user, devices=confirmed_devices(user), request=request
    )
    if request.method == "POST" and form.is_valid():
        if pending:
            backend = request.session.pop(PENDING_BACKEND, None)
            for key in (PENDING_USER, PENDING_SINCE):
                request.session.pop(key, None)
            auth_login(request, user, backend=backend)
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(
                request,
                _("Recovery code used; %(left)s left. Set up your app again if it is lost.")
                % {"left": left},
            )
        return redirect(next_url)
    return render(
        request, "accounts/verify.html", {"form": form, "next": next_url, "signing_in": user}
    )


def _staff_with_second_factor(request: HttpRequest) -> HttpResponse | None:
    """A response that sends the visitor elsewhere, or None when they may manage 2FA here."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_use_two_factor(request.user):
        raise PermissionDenied("Your account may not open this page.")
    if needs_code(request.user):
        return redirect(verify_url(request.get_full_path()))
    return None


TWO_FACTOR_EVENTS = (AccountEvent.Kind.TWO_FACTOR_ENROLLED, AccountEvent.Kind.TWO_FACTOR_REMOVED)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app (QR code, then a code to confirm), or see that it is on;
    either way with the account's recent two-factor changes."""
    if elsewhere := _staff_with_second_factor(request):
        return elsewhere
    user = request.user
    events = recent_account_events(user, TWO_FACTOR_EVENTS)
    if has_confirmed_device(user):
        form = CodeForm(user=user, devices=[], request=request)
        return render(request, "accounts/two_factor_on.html", {"form": form, "events": events})
    device = pending_app_device(user)
    form = CodeForm(request.POST or None, user=user, devices=[device], request=request)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows."
    if request.method == "POST" and form.is_valid():
        codes = confirm_app_device(user, device)
        otp_login(request, device)
        return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_code": qr_code_svg(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "otpauth_uri": device.config_url,
            "events": events,
        },
    )


@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off after a current code."""
    if elsewhere := _staff_with_second_factor(request):
        return elsewhere
    form = CodeForm(
        request.POST, user=request.user, devices=confirmed_devices(request.user), request=request
    )
    if not form.is_valid():
        events = recent_account_events(request.user, TWO_FACTOR_EVENTS)
        return render(
            request, "accounts/two_factor_on.html", {"form": form, "events": events}, status=400
        )
    remove_devices(request.user)
    messages.success(request, _("Two-factor sign-in is off. Your authenticator entry can go."))
    return redirect("accounts:two_factor")
