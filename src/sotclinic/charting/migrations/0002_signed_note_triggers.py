"""The database refuses changes to a signed note, its exam and procedures, and to addenda."""

from django.db import migrations

from sotclinic.audit.triggers import install, uninstall
from sotclinic.charting.triggers import NOTE_GUARDS, install_part_guards, uninstall_part_guards


def forwards(apps, schema_editor):
    install(schema_editor, NOTE_GUARDS)
    install_part_guards(schema_editor)


def backwards(apps, schema_editor):
    uninstall_part_guards(schema_editor)
    uninstall(schema_editor, NOTE_GUARDS)


class Migration(migrations.Migration):
    dependencies = [("charting", "0001_initial"), ("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
