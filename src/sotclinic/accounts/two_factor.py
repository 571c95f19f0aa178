"""Two-factor sign-in for staff: an authenticator app (TOTP) and single-use recovery codes.

Devices are django-otp's: one ``TOTPDevice`` for the app and one ``StaticDevice`` holding the
recovery codes. Only confirmed devices count; a device is confirmed by entering a code from it.
"""

import io
import re

import qrcode
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from sotclinic.errors import DomainError

from .events import record_account_event
from .models import AccountEvent, User

RECOVERY_CODE_COUNT = 8
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
_APP_CODE = re.compile(r"^\d{6}$")


class CodeRefused(DomainError):
    """A code that did not verify, with a message for the person who typed it."""

    field = "code"


def has_confirmed_device(user) -> bool:
    """True when the user has set up two-factor sign-in (read from the user row: no query)."""
    return bool(user.is_authenticated and user.has_two_factor)


def sync_two_factor_flag(user_id: int, user=None) -> None:
    """Set ``User.has_two_factor`` from the user's confirmed devices, in the database and on
    ``user`` (the instance in hand, if any). Runs on every save and deletion of a device."""
    confirmed = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)) | Exists(
        StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    )
    User.objects.filter(pk=user_id).update(has_two_factor=confirmed)
    if user is not None:
        user.has_two_factor = User.objects.values_list("has_two_factor", flat=True).get(pk=user_id)


def device_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (``apps.py``): a device was saved or deleted."""
    user = instance.user if type(instance).user.is_cached(instance) else None
    sync_two_factor_flag(instance.user_id, user)


def needs_code(user) -> bool:
    """True when this session has passed the password but not yet the second factor."""
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return has_confirmed_device(user)


def may_use_two_factor(user) -> bool:
    """Staff of the clinic and anyone let into the back office (``/admin/``), whatever role."""
    return user.is_authenticated and (user.is_clinic_staff or (user.is_active and user.is_staff))


def must_enrol(user) -> bool:
    """True when the clinic requires two-factor sign-in and this staff user has no device."""
    return (
        settings.STAFF_2FA_REQUIRED and may_use_two_factor(user) and not has_confirmed_device(user)
    )


def pending_app_device(user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up, created on first use.

    Reused across page loads so the QR code stays the same until it is confirmed.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def qr_code_svg(data: str) -> str:
    """The data as an SVG QR code to place inside an HTML page."""
    out = io.BytesIO()
    # One <path> with a viewBox: scales with CSS, and has no "svg:" prefixed elements, which
    # browsers ignore when SVG is inlined in HTML.
    qrcode.make(data, image_factory=SvgPathImage).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").lower()


def verify_code(user, raw: str, devices: list[Device]) -> Device:
    """Check a code against the user's devices; return the device that accepted it.

    Six digits are an app code, anything else a recovery code, so a typo in one never counts
    against the other's throttle. Each device throttles itself (django-otp doubles the wait
    after each wrong code). A used recovery code is deleted. Raises ``CodeRefused``.
    """
    code = normalise_code(raw)
    kind = TOTPDevice if _APP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        candidates = [
            kind.objects.select_for_update().get(pk=device.pk)
            for device in devices
            if isinstance(device, kind) and device.user_id == user.pk
        ]
        if not candidates:
            raise CodeRefused(_("That code is not right. Enter the 6-digit code from your app."))
        for device in candidates:
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                raise CodeRefused(_("Too many wrong codes in a row. Wait a minute and try again."))
            if device.verify_token(code):
                return device
    raise CodeRefused(
        _("That code is not right. Check the app shows the code for this account and try again.")
    )


def confirmed_devices(user) -> list[Device]:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


@transaction.atomic
def confirm_app_device(user, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator device, whose code was just accepted, and issue recovery codes.

    Replaces any earlier devices. Returns the recovery codes to show once; each is deleted from
    the database when used.
    """
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    record_account_event(user, AccountEvent.Kind.TWO_FACTOR_ENROLLED)
    return codes


@transaction.atomic
def remove_devices(user) -> None:
    """Turn two-factor sign-in off (the view asks for a current code first)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_account_event(user, AccountEvent.Kind.TWO_FACTOR_REMOVED)
