"""Why an appointment was cancelled, and whether late.

On SQLite adding these columns rebuilds the appointment table, which drops its no-overlap
triggers; they are created again at the end (as in 0006).
"""

import importlib

from django.db import migrations, models


def recreate_overlap_triggers(apps, schema_editor):
    triggers = importlib.import_module("sotclinic.scheduling.migrations.0004_no_overlap_on_sqlite")
    triggers.drop(apps, schema_editor)
    triggers.create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0012_phone_region_has_a_numbering_plan'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='cancellation_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='note on the cancellation'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='cancellation_reason',
            field=models.CharField(blank=True, choices=[('illness', 'Patient unwell'), ('commitment', 'Work or other commitment'), ('travel', 'Travel, transport or weather'), ('not_needed', 'Patient no longer wants the visit'), ('error', 'Booked by mistake'), ('clinic', 'Clinic cancelled (practitioner unavailable)'), ('other', 'Other (see note)')], max_length=20, verbose_name='reason for cancelling'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='cancelled_late',
            field=models.BooleanField(default=False, verbose_name='cancelled late'),
        ),
        migrations.RunPython(recreate_overlap_triggers, migrations.RunPython.noop),
    ]
