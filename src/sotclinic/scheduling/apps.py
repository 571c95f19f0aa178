from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sotclinic.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from sotclinic.messaging.services import register_composer

        from . import notifications, signals

        signals.connect()
        register_composer(
            notifications.APPOINTMENT_COMPOSER, notifications.compose_about_appointment
        )
