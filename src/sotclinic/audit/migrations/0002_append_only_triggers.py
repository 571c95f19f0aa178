"""The database refuses UPDATE and DELETE on the access log (PostgreSQL and SQLite)."""

from django.db import migrations

from sotclinic.audit.triggers import AUDIT_GUARDS, install, uninstall


def forwards(apps, schema_editor):
    install(schema_editor, AUDIT_GUARDS)


def backwards(apps, schema_editor):
    uninstall(schema_editor, AUDIT_GUARDS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
