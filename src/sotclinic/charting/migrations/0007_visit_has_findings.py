"""Visits say whether their exam recorded findings (``Visit.has_findings``), so the day list's
"an earlier visit with findings?" is one probe of a partial index.

The column is added with a plain ``ALTER TABLE … ADD COLUMN``, not ``AddField``: on SQLite,
``AddField`` of a NOT NULL column with a default rebuilds the table, and the rebuilt table has
none of the triggers that guard a signed note's visit (0002, 0004). ``ADD COLUMN`` with a
constant default changes the table in place on both databases. Going back drops the column
(SQLite has ``DROP COLUMN`` since 3.35; the index on it is dropped first).
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    # The rule of ExamRecord.save(): the note's exam has a suggestion (None is stored as SQL
    # NULL, the field being null=True).
    Visit = apps.get_model("charting", "Visit")
    Visit.objects.filter(note__exam__suggestion__isnull=False).update(has_findings=True)


class Migration(migrations.Migration):
    dependencies = [("charting", "0006_clinic_diagnosis_codes")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="visit",
                    name="has_findings",
                    field=models.BooleanField(db_default=False, default=False, editable=False),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE charting_visit ADD COLUMN has_findings boolean NOT NULL "
                    "DEFAULT false",
                    reverse_sql="ALTER TABLE charting_visit DROP COLUMN has_findings",
                )
            ],
        ),
        # Going back, the column goes with its values.
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(has_findings=True),
                fields=["patient", "started_at"],
                name="visit_patient_findings",
            ),
        ),
    ]
