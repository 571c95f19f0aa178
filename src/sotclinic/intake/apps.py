from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sotclinic.intake"
    label = "intake"

    def ready(self) -> None:
        from sotclinic.scheduling.notifications import add_to_confirmations

        from .confirmations import intake_link_context

        add_to_confirmations(intake_link_context)

        from .instruments import default_registry
        from .precautions import default_precautions
        from .redflags.table import default_table

        # Load and check the data tables now: a malformed table stops start-up rather than an
        # intake, and their texts are known before any stored one is shown (data_text.shown).
        default_table()
        default_precautions()
        default_registry()
