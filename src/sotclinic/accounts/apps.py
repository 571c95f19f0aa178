from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "sotclinic.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .two_factor import device_changed

        # Every change of a device, by a view, the back office or a shell, keeps the flag.
        for model in (TOTPDevice, StaticDevice):
            post_save.connect(device_changed, sender=model, dispatch_uid=f"2fa-save-{model}")
            post_delete.connect(device_changed, sender=model, dispatch_uid=f"2fa-del-{model}")


class ClinicAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that asks staff with a device for their code."""

    default = False
    default_site = "sotclinic.accounts.admin_site.ClinicAdminSite"
