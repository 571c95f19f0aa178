from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sotclinic.scheduling"
    label = "scheduling"
