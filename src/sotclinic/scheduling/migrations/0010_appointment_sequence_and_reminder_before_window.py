"""Appointment.sequence (the SEQUENCE of its invites) and reminders before the cancellation
window closes.

On SQLite, adding the NOT NULL column rebuilds the appointment table, which drops its
no-overlap triggers; they are created again here."""

import importlib

import django.core.validators
from django.db import migrations, models
from django.db.models import F


def remind_before_the_window_closes(apps, schema_editor):
    """A reminder sent when the window had closed offered a link that no longer worked:
    send it a day before the window closes instead."""
    ClinicSettings = apps.get_model("scheduling", "ClinicSettings")
    ClinicSettings.objects.filter(reminder_hours__lte=F("cancellation_window_hours")).update(
        reminder_hours=F("cancellation_window_hours") + 24
    )


def recreate_overlap_triggers(apps, schema_editor):
    triggers = importlib.import_module("sotclinic.scheduling.migrations.0004_no_overlap_on_sqlite")
    triggers.drop(apps, schema_editor)
    triggers.create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0009_clinic_locale'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='clinicsettings',
            name='reminder_hours_range',
        ),
        migrations.AddField(
            model_name='appointment',
            name='sequence',
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(recreate_overlap_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='clinicsettings',
            name='reminder_hours',
            field=models.PositiveIntegerField(default=48, help_text='Reminders go out this many hours before a visit; more than the cancellation window, so that patients can still cancel or move online.', validators=[django.core.validators.MinValueValidator(1, 'Give a number from 1 to 744 hours.'), django.core.validators.MaxValueValidator(744, 'Give a number from 1 to 744 hours.')]),
        ),
        migrations.RunPython(remind_before_the_window_closes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('reminder_hours__gte', 1), ('reminder_hours__lte', 744)), name='reminder_hours_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('reminder_hours__gt', models.F('cancellation_window_hours'))), name='reminder_before_cancellation_window', violation_error_message="Send reminders earlier than the cancellation window closes (more hours before the visit), so that the reminder's link to cancel or move still works."),
        ),
    ]
