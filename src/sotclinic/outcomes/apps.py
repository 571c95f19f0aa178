from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "sotclinic.outcomes"
    label = "outcomes"
