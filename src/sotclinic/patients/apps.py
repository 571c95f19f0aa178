from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _search_index(sender, using, **kwargs) -> None:
    from django.db import connections

    from .search_index import install

    install(connections[using])


class PatientsConfig(AppConfig):
    name = "sotclinic.patients"
    label = "patients"

    def ready(self) -> None:
        # After every migrate, not only the one that created it: on SQLite a later migration
        # that rebuilds the patients table drops the triggers that keep the search index.
        post_migrate.connect(_search_index, sender=self)
