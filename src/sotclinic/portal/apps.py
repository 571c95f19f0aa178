from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sotclinic.portal"
    label = "portal"
