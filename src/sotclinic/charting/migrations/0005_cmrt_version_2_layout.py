"""Draft exams move their CMRT rows from the version-1 layout (line/position) to version 2.

Each stored row is mapped with the engine's ``map_v1_cmrt_entry``; a row it cannot map (a
bilateral one, or anything malformed) is moved whole to ``cmrt_old`` and shown as "recorded
under the old layout". Exams of signed notes are left as they were signed: the database refuses
to change them, and every reader of the exam reads both layouts.
"""

from django.db import migrations

from sotclinic.sot import map_v1_cmrt_entry


def _is_v1(row) -> bool:
    return isinstance(row, dict) and "position" in row


def forwards(apps, schema_editor):
    ExamRecord = apps.get_model("charting", "ExamRecord")
    drafts = ExamRecord.objects.filter(note__signed_at__isnull=True)
    for exam in drafts.iterator():
        state = exam.state if isinstance(exam.state, dict) else {}
        rows = state.get("cmrt") or []
        if not any(_is_v1(row) for row in rows):
            continue
        current, old = [], list(state.get("cmrt_old") or [])
        for row in rows:
            if not _is_v1(row):
                current.append(row)
                continue
            migrated = map_v1_cmrt_entry(row)
            if migrated.finding is None:
                old.append(dict(migrated.old_entry))
            else:
                current.append(migrated.finding.as_dict())
        state = {**state, "cmrt": current}
        if old:
            state["cmrt_old"] = old
        ExamRecord.objects.filter(pk=exam.pk).update(state=state)


class Migration(migrations.Migration):
    dependencies = [("charting", "0004_replace_truncate_and_visit_guards")]
    # Forwards only moves rows into the version-2 shape that every reader also accepts, so
    # going back needs no change of data.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
