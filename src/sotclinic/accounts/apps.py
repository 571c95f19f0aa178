from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "sotclinic.accounts"
    label = "accounts"


class ClinicAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that asks staff with a device for their code."""

    default = False
    default_site = "sotclinic.accounts.admin_site.ClinicAdminSite"
