from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sotclinic.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from . import signals

        signals.connect()
