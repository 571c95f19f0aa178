"""No double booking, enforced by PostgreSQL itself.

An exclusion constraint forbids two active appointments of one practitioner whose busy ranges
[start, blocked_until) overlap. SQLite has no such constraint; triggers do the same
there (migration 0004).
"""

from django.db import migrations

CONSTRAINT = "appointment_no_overlap"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (
        practitioner_id WITH =,
        tstzrange(start, blocked_until, '[)') WITH &&
    ) WHERE (status <> 'cancelled');
"""
DROP = f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_availability_booking_settings")]

    operations = [migrations.RunPython(create, drop)]
