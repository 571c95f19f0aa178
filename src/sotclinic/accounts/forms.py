from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .throttle import account_key, count_failure, is_paused
from .two_factor import CodeRefused, verify_code


class ThrottledAuthenticationForm(AuthenticationForm):
    """Log-in form that pauses an address after too many failures, for one name or for all."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed log-ins. Wait a few minutes and try again."),
    }

    def clean(self):
        account = account_key(self.data.get("username") or "")
        if is_paused("login", self.request, account):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            count_failure("login", self.request, account)
            raise


class CodeForm(forms.Form):
    """A code from the authenticator app or a recovery code, checked against given devices.

    Wrong codes are paused like failed passwords (per address and account, and per address
    together with failed passwords), on top of each device's own throttling. After a valid
    code, ``self.device`` is the device that took it.
    """

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
    throttled_message = "Too many wrong codes. Wait a few minutes and try again."

    def __init__(self, *args, user, devices, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.devices, self.request = user, devices, request
        self.device = None

    def clean_code(self) -> str:
        account = f"user-{self.user.pk}"
        if is_paused("code", self.request, account):
            raise ValidationError(self.throttled_message, code="throttled")
        try:
            self.device = verify_code(self.user, self.cleaned_data["code"], self.devices)
        except CodeRefused as refused:
            count_failure("code", self.request, account)
            raise ValidationError(str(refused), code="wrong_code") from refused
        return self.cleaned_data["code"]
