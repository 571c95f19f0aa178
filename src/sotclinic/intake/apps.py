from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sotclinic.intake"
    label = "intake"

    def ready(self) -> None:
        from sotclinic.scheduling.notifications import add_to_confirmations

        from .confirmations import intake_link_context

        add_to_confirmations(intake_link_context)
