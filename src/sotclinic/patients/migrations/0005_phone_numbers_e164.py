"""Stored phone numbers to E.164, read in the clinic's phone region.

A number that cannot be read as a valid number is kept exactly as it was typed (nothing is
thrown away); the staff pages mark it as not checked (``Patient.phone_checked``) until someone
corrects it. Reversing leaves the numbers in E.164 (the typed form is not kept).
"""

import phonenumbers
from django.db import migrations


def _region(apps) -> str:
    settings = apps.get_model("scheduling", "ClinicSettings").objects.filter(pk=1).first()
    return settings.phone_region if settings is not None else "GB"


def to_e164(apps, schema_editor):
    region = _region(apps)
    Patient = apps.get_model("patients", "Patient")
    changed = []
    for patient in Patient.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(patient.phone, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 != patient.phone:
            patient.phone = e164
            changed.append(patient)
    Patient.objects.bulk_update(changed, ["phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_translatable_field_labels"),
        ("scheduling", "0009_clinic_locale"),
    ]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop)]
