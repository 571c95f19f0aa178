"""The database refuses REPLACE over a signed note, its parts, its visit or an addendum
(SQLite), TRUNCATE of the charting tables (PostgreSQL), and moving a signed note's visit."""

from django.db import migrations

from sotclinic.audit.triggers import install, uninstall
from sotclinic.charting.triggers import (
    NOTE_BYPASS_GUARDS,
    install_visit_guard,
    uninstall_visit_guard,
)


def forwards(apps, schema_editor):
    install(schema_editor, NOTE_BYPASS_GUARDS)
    install_visit_guard(schema_editor)


def backwards(apps, schema_editor):
    uninstall_visit_guard(schema_editor)
    uninstall(schema_editor, NOTE_BYPASS_GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("charting", "0003_visit_timeline_index"),
        ("audit", "0003_replace_and_truncate_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
