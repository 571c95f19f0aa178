"""Intakes completed before the precautions tier asked "pregnant or could be" without weeks.

A "yes" there must not vanish: it becomes a pregnancy precaution with the weeks unknown, which
the exam shows beside both blocking positions until a practitioner records the weeks.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    PrecautionRecord = apps.get_model("intake", "PrecautionRecord")
    seen = set()
    for intake in Intake.objects.filter(status="complete").order_by("-completed_at", "-id"):
        if intake.patient_id in seen:
            continue
        seen.add(intake.patient_id)
        if (intake.health_history or {}).get("pregnant") != "yes":
            continue
        if PrecautionRecord.objects.filter(patient_id=intake.patient_id, code="pregnancy").exists():
            continue
        PrecautionRecord.objects.create(
            patient_id=intake.patient_id,
            code="pregnancy",
            present=True,
            weeks=None,
            origin="intake",
            intake=intake,
            recorded_at=intake.completed_at,
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_precautions")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
