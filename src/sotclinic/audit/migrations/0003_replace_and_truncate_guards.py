"""The database refuses REPLACE over an access-log row (SQLite) and TRUNCATE (PostgreSQL)."""

from django.db import migrations

from sotclinic.audit.triggers import AUDIT_BYPASS_GUARDS, install, uninstall


def forwards(apps, schema_editor):
    install(schema_editor, AUDIT_BYPASS_GUARDS)


def backwards(apps, schema_editor):
    uninstall(schema_editor, AUDIT_BYPASS_GUARDS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
