"""Bounds on the booking settings and appointment types; the outside-hours override.

Values already stored outside the new ranges are brought to the nearest bound first, so the
check constraints can be added on any existing database. On SQLite adding a check
constraint rebuilds the appointment table, which drops its no-overlap triggers; they are
created again at the end.
"""

import importlib

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BOUNDS = {
    "ClinicSettings": {
        "slot_step_minutes": (5, 240),
        "min_notice_minutes": (0, 43_200),
        "horizon_days": (1, 730),
        "cancellation_window_hours": (0, 720),
        "reminder_hours": (1, 168),
    },
    "AppointmentType": {"duration_minutes": (1, 480), "buffer_minutes": (0, 240)},
}


def clamp_to_bounds(apps, schema_editor):
    for model_name, fields in BOUNDS.items():
        model = apps.get_model("scheduling", model_name)
        for field, (low, high) in fields.items():
            model.objects.filter(**{f"{field}__lt": low}).update(**{field: low})
            model.objects.filter(**{f"{field}__gt": high}).update(**{field: high})


def recreate_overlap_triggers(apps, schema_editor):
    triggers = importlib.import_module("sotclinic.scheduling.migrations.0004_no_overlap_on_sqlite")
    triggers.drop(apps, schema_editor)
    triggers.create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0001_initial'),
        ('scheduling', '0005_clinic_emergency_number'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(clamp_to_bounds, migrations.RunPython.noop),
        migrations.AddField(
            model_name='appointment',
            name='outside_hours_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='booked outside opening hours at'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='outside_hours_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='booked outside opening hours by'),
        ),
        migrations.AlterField(
            model_name='appointmenttype',
            name='buffer_minutes',
            field=models.PositiveIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0, 'Give a number from 0 to 240 minutes.'), django.core.validators.MaxValueValidator(240, 'Give a number from 0 to 240 minutes.')]),
        ),
        migrations.AlterField(
            model_name='appointmenttype',
            name='duration_minutes',
            field=models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1, 'Give a number from 1 to 480 minutes.'), django.core.validators.MaxValueValidator(480, 'Give a number from 1 to 480 minutes.')]),
        ),
        migrations.AlterField(
            model_name='clinicsettings',
            name='cancellation_window_hours',
            field=models.PositiveIntegerField(default=24, help_text='Patients may cancel or move online up to this long before.', validators=[django.core.validators.MinValueValidator(0, 'Give a number from 0 to 720 hours.'), django.core.validators.MaxValueValidator(720, 'Give a number from 0 to 720 hours.')]),
        ),
        migrations.AlterField(
            model_name='clinicsettings',
            name='horizon_days',
            field=models.PositiveIntegerField(default=60, help_text='How far ahead patients may book online.', validators=[django.core.validators.MinValueValidator(1, 'Give a number from 1 to 730 days.'), django.core.validators.MaxValueValidator(730, 'Give a number from 1 to 730 days.')]),
        ),
        migrations.AlterField(
            model_name='clinicsettings',
            name='min_notice_minutes',
            field=models.PositiveIntegerField(default=120, help_text='How soon before a visit patients may still book it online.', validators=[django.core.validators.MinValueValidator(0, 'Give a number from 0 to 43200 minutes.'), django.core.validators.MaxValueValidator(43200, 'Give a number from 0 to 43200 minutes.')]),
        ),
        migrations.AlterField(
            model_name='clinicsettings',
            name='reminder_hours',
            field=models.PositiveIntegerField(default=24, help_text='Reminders go out for visits starting within this many hours.', validators=[django.core.validators.MinValueValidator(1, 'Give a number from 1 to 168 hours.'), django.core.validators.MaxValueValidator(168, 'Give a number from 1 to 168 hours.')]),
        ),
        migrations.AlterField(
            model_name='clinicsettings',
            name='slot_step_minutes',
            field=models.PositiveIntegerField(default=15, validators=[django.core.validators.MinValueValidator(5, 'Give a number from 5 to 240 minutes.'), django.core.validators.MaxValueValidator(240, 'Give a number from 5 to 240 minutes.')]),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outside_hours_at__isnull', True), ('outside_hours_by__isnull', True)), models.Q(('outside_hours_at__isnull', False), ('outside_hours_by__isnull', False)), _connector='OR'), name='appointment_outside_hours_who_and_when'),
        ),
        migrations.AddConstraint(
            model_name='appointmenttype',
            constraint=models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 1), ('duration_minutes__lte', 480)), name='appointment_type_duration_range'),
        ),
        migrations.AddConstraint(
            model_name='appointmenttype',
            constraint=models.CheckConstraint(condition=models.Q(('buffer_minutes__gte', 0), ('buffer_minutes__lte', 240)), name='appointment_type_buffer_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('slot_step_minutes__gte', 5), ('slot_step_minutes__lte', 240)), name='slot_step_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('min_notice_minutes__gte', 0), ('min_notice_minutes__lte', 43200)), name='min_notice_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('horizon_days__gte', 1), ('horizon_days__lte', 730)), name='horizon_days_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('cancellation_window_hours__gte', 0), ('cancellation_window_hours__lte', 720)), name='cancellation_window_range'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('reminder_hours__gte', 1), ('reminder_hours__lte', 168)), name='reminder_hours_range'),
        ),
        migrations.RunPython(recreate_overlap_triggers, migrations.RunPython.noop),
    ]
