"""Who may open which page: decorators for views, by role."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import must_enrol, needs_code


def verify_url(next_url: str) -> str:
    """The code step, coming back to next_url afterwards."""
    return f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}"


def _role_required(check: Callable[[object], bool], second_factor: bool = False) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied("Your account may not open this page.")
            if second_factor and (response := second_factor_missing(request)):
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def second_factor_missing(request: HttpRequest, next_url: str | None = None) -> HttpResponse | None:
    """Send staff to the code step (device set up, session unverified) or to enrolment.

    The one check behind every staff page and the back office; None when nothing is missing.
    """
    if needs_code(request.user):
        return redirect(verify_url(next_url or request.get_full_path()))
    if must_enrol(request.user):
        messages.info(request, _("This clinic requires two-factor sign-in. Set it up to go on."))
        return redirect("accounts:two_factor")
    return None


staff_required = _role_required(lambda user: user.is_clinic_staff, second_factor=True)
practitioner_required = _role_required(lambda user: user.is_practitioner, second_factor=True)
patient_required = _role_required(lambda user: user.is_patient)
importer_required = _role_required(lambda user: user.may_import_records, second_factor=True)


def signed_in_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any signed-in user; one who has set up two-factor sign-in must have passed it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_code(request.user):
            return redirect(verify_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped
