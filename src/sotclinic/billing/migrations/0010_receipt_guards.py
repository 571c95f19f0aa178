from django.db import migrations

from sotclinic.audit.triggers import install, uninstall
from sotclinic.billing.triggers import RECEIPT_GUARDS


def forwards(apps, schema_editor):
    install(schema_editor, RECEIPT_GUARDS)


def backwards(apps, schema_editor):
    uninstall(schema_editor, RECEIPT_GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0009_receipt_numbers"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
