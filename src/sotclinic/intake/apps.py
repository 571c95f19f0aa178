from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sotclinic.intake"
    label = "intake"
