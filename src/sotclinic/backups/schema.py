"""How the restored database's migrations compare with the code's."""

from dataclasses import dataclass

from django.db import connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class SchemaStatus:
    pending: list[str]  # migrations the code has and the database has not applied
    unknown: list[str]  # migrations the database has applied that the code does not know


def schema_status(alias: str = "default") -> SchemaStatus:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    applied = executor.loader.applied_migrations
    return SchemaStatus(
        pending=[f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards],
        unknown=sorted(
            f"{app}.{name}"
            for app, name in applied
            if (app, name) not in executor.loader.disk_migrations
        ),
    )
