from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "sotclinic.charting"
    label = "charting"
