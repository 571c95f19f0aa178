from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "sotclinic.charting"
    label = "charting"

    def ready(self) -> None:
        from sotclinic.intake.selectors import find_same_day_visits_with

        from .selectors import visit_on_same_day

        find_same_day_visits_with(visit_on_same_day)
