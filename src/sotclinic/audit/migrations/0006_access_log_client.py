"""An access-log row names the OAuth application a read came through (the FHIR API).

SQLite adds a column with a default by rebuilding the table, which drops its triggers: the
guards are lifted before and installed again after, as in 0005.
"""

from django.db import migrations, models

from sotclinic.audit.triggers import AUDIT_BYPASS_GUARDS, AUDIT_GUARDS, install, uninstall

GUARDS = (*AUDIT_GUARDS, *AUDIT_BYPASS_GUARDS)


def lift_guards(apps, schema_editor):
    uninstall(schema_editor, GUARDS)


def install_guards(apps, schema_editor):
    install(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_access_log_without_patient"),
    ]

    operations = [
        migrations.RunPython(lift_guards, install_guards),
        migrations.AddField(
            model_name="accesslog",
            name="client",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=200, verbose_name="client"
            ),
        ),
        migrations.RunPython(install_guards, lift_guards),
    ]
