from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from .two_factor import CodeRefused, verify_code


def _count_failure(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request else ""


class ThrottledAuthenticationForm(AuthenticationForm):
    """Log-in form that pauses a user name after too many failures from one address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed log-ins. Wait a few minutes and try again.",
    }

    def _throttle_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()
        return f"login-failures:{_client_address(self.request)}:{username}"

    def clean(self):
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            _count_failure(key)
            raise


class CodeForm(forms.Form):
    """A code from the authenticator app or a recovery code, checked against given devices.

    Wrong codes count towards the same per-address limit as failed passwords, on top of the
    devices' own throttling. After a valid code, ``self.device`` is the device that took it.
    """

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
    throttled_message = "Too many wrong codes. Wait a few minutes and try again."

    def __init__(self, *args, user, devices, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.devices, self.request = user, devices, request
        self.device = None

    def clean_code(self) -> str:
        key = f"code-failures:{_client_address(self.request)}:{self.user.pk}"
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(self.throttled_message, code="throttled")
        try:
            self.device = verify_code(self.user, self.cleaned_data["code"], self.devices)
        except CodeRefused as refused:
            _count_failure(key)
            raise ValidationError(str(refused), code="wrong_code") from refused
        return self.cleaned_data["code"]
