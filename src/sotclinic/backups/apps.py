from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "sotclinic.backups"
    label = "backups"
    verbose_name = "Backups"
