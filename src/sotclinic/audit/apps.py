from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sotclinic.audit"
    label = "audit"
