from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError


class ThrottledAuthenticationForm(AuthenticationForm):
    """Log-in form that pauses a user name after too many failures from one address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed log-ins. Wait a few minutes and try again.",
    }

    def _throttle_key(self) -> str:
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        username = (self.data.get("username") or "").strip().lower()
        return f"login-failures:{address}:{username}"

    def clean(self):
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            raise
