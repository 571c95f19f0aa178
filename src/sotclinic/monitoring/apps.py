from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MonitoringConfig(AppConfig):
    name = "sotclinic.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from .queries import count_queries

        connection_created.connect(count_queries, dispatch_uid="sotclinic-count-queries")
