from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "sotclinic.imports"
    label = "imports"
