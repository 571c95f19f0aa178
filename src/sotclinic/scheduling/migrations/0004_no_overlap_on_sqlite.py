"""No double booking, enforced by SQLite itself too.

SQLite has no exclusion constraint, so triggers refuse an insert or update that would give a
practitioner two active (not cancelled) appointments whose busy ranges [start, blocked_until)
overlap — from any code path, the admin included. Times are stored as ISO text in UTC, which
compares in time order. The message carries the PostgreSQL constraint's name, so the booking
service turns either database's refusal into the same SlotTaken.
"""

from django.db import migrations, models

OVERLAP = """
    NEW.status <> 'cancelled' AND EXISTS (
        SELECT 1 FROM scheduling_appointment AS other
        WHERE other.practitioner_id = NEW.practitioner_id
          AND other.id IS NOT NEW.id
          AND other.status <> 'cancelled'
          AND other.blocked_until > NEW.start
          AND other.start < NEW.blocked_until
    )
"""
REFUSE = (
    "SELECT RAISE(ABORT, 'appointment_no_overlap: the practitioner already has an appointment "
    "at that time');"
)
CREATE = [
    f"""CREATE TRIGGER appointment_no_overlap_insert
        BEFORE INSERT ON scheduling_appointment WHEN {OVERLAP}
        BEGIN {REFUSE} END;""",
    f"""CREATE TRIGGER appointment_no_overlap_update
        BEFORE UPDATE OF practitioner_id, start, blocked_until, status
        ON scheduling_appointment WHEN {OVERLAP}
        BEGIN {REFUSE} END;""",
]
DROP = [
    "DROP TRIGGER IF EXISTS appointment_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS appointment_no_overlap_update;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_no_overlap_on_postgresql")]

    operations = [
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["practitioner", "blocked_until"], name="appointment_busy_until"
            ),
        ),
        migrations.RunPython(create, drop),
    ]
