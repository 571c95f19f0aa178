"""What a column of an export can hold, and the column names assumed for the common practice
systems' exports (docs/importing.md: assumptions drawn from how such exports are usually laid
out, not the vendors' specifications; the mapping form corrects any of them)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sotclinic.patients.search import fold

from .models import RecordKind

IGNORE = ""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False


FIELDS = {
    RecordKind.PATIENT: (
        Field("external_id", _("Patient ID in the old system"), required=True),
        Field("first_name", _("First name"), required=True),
        Field("last_name", _("Last name"), required=True),
        Field("date_of_birth", _("Date of birth"), required=True),
        Field("email", _("E-mail")),
        Field("phone", _("Phone")),
        Field("address", _("Address (several columns are joined in order)")),
    ),
    RecordKind.APPOINTMENT: (
        Field("external_id", _("Appointment ID in the old system"), required=True),
        Field("patient_id", _("Patient ID in the old system"), required=True),
        Field("start", _("Start (date and time, or the date)"), required=True),
        Field("start_time", _("Start time (when the date is a column of its own)")),
        Field("practitioner", _("Practitioner"), required=True),
        Field("appointment_type", _("Appointment type"), required=True),
        Field("location", _("Location")),
        Field("status", _("Status (cancelled ones are left out)")),
    ),
    RecordKind.OPENING_BALANCE: (
        Field("patient_id", _("Patient ID in the old system"), required=True),
        Field("amount", _("Balance owed (negative: in credit)"), required=True),
        Field("as_of", _("Balance date")),
    ),
}

# Several columns may go to these fields; their values are joined.
JOINED = {"address"}


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    date_order: str  # how the export writes dates, as clinic_locale's orders
    columns: dict  # RecordKind → {column name: field}


GENERIC = "generic"
# Another system is known by the name staff give it, so two of them never share ids:
# ``generic:<name>`` (blanks collapsed, any case), within ExternalRecord.source's 40 characters.
OTHER_NAME_LENGTH = 40 - len(GENERIC) - 1


def other_source(name: str) -> str:
    """The source of another system called ``name``: ``generic:<name>``."""
    return f"{GENERIC}:{' '.join(name.split()).casefold()}"


def is_source(value: str) -> bool:
    """Whether ``value`` names a preset, or another system by its name."""
    prefix, _, name = value.partition(":")
    return value in PRESETS or (prefix == GENERIC and bool(name.strip()))


# Column names read the same way whatever the system (compared in any case).
COMMON_NAMES = {
    RecordKind.PATIENT: {
        "id": "external_id",
        "patient id": "external_id",
        "first": "first_name",
        "given name": "first_name",
        "last": "last_name",
        "surname": "last_name",
        "family name": "last_name",
        "dob": "date_of_birth",
        "birth date": "date_of_birth",
        "birthdate": "date_of_birth",
        "e-mail": "email",
        "mobile": "phone",
        "cell phone": "phone",
        "telephone": "phone",
    },
    RecordKind.APPOINTMENT: {
        "id": "external_id",
        "appointment id": "external_id",
        "patient": "patient_id",
        "patient id": "patient_id",
        "date": "start",
        "time": "start_time",
        "provider": "practitioner",
        "type": "appointment_type",
    },
    RecordKind.OPENING_BALANCE: {
        "id": "patient_id",
        "patient id": "patient_id",
        "balance": "amount",
        "date": "as_of",
    },
}
PRESETS = {
    "jane": Preset(
        "jane",
        "Jane App",
        "YMD",
        {
            RecordKind.PATIENT: {
                "Patient ID": "external_id",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Birth Date": "date_of_birth",
                "Email": "email",
                "Mobile Phone": "phone",
                "Address": "address",
                "City": "address",
                "Province": "address",
                "Postal Code": "address",
            },
            RecordKind.APPOINTMENT: {
                "Appointment ID": "external_id",
                "Patient ID": "patient_id",
                "Start At": "start",
                "Staff Member": "practitioner",
                "Treatment": "appointment_type",
                "Location": "location",
                "State": "status",
            },
            RecordKind.OPENING_BALANCE: {
                "Patient ID": "patient_id",
                "Balance": "amount",
            },
        },
    ),
    "cliniko": Preset(
        "cliniko",
        "Cliniko",
        "YMD",
        {
            RecordKind.PATIENT: {
                "ID": "external_id",
                "First name": "first_name",
                "Last name": "last_name",
                "Date of birth": "date_of_birth",
                "Email": "email",
                "Mobile": "phone",
                "Address 1": "address",
                "Address 2": "address",
                "City": "address",
                "Post code": "address",
            },
            RecordKind.APPOINTMENT: {
                "ID": "external_id",
                "Patient ID": "patient_id",
                "Appointment start": "start",
                "Practitioner": "practitioner",
                "Appointment type": "appointment_type",
                "Business": "location",
                "Status": "status",
            },
            RecordKind.OPENING_BALANCE: {
                "Patient ID": "patient_id",
                "Outstanding": "amount",
                "Date": "as_of",
            },
        },
    ),
    "chirotouch": Preset(
        "chirotouch",
        "ChiroTouch",
        "MDY",
        {
            RecordKind.PATIENT: {
                "Account #": "external_id",
                "First": "first_name",
                "Last": "last_name",
                "DOB": "date_of_birth",
                "Email": "email",
                "Cell Phone": "phone",
                "Address 1": "address",
                "City": "address",
                "State": "address",
                "Zip": "address",
            },
            RecordKind.APPOINTMENT: {
                "Appt ID": "external_id",
                "Account #": "patient_id",
                "Date": "start",
                "Time": "start_time",
                "Provider": "practitioner",
                "Appt Type": "appointment_type",
                "Location": "location",
                "Status": "status",
            },
            RecordKind.OPENING_BALANCE: {
                "Account #": "patient_id",
                "Patient Balance": "amount",
                "As Of": "as_of",
            },
        },
    ),
}
PRESET_CHOICES = [
    *((preset.key, preset.label) for preset in PRESETS.values()),
    (GENERIC, _("Another system (map the columns yourself)")),
]


def field_choices(kind: str) -> list[tuple[str, str]]:
    return [(IGNORE, _("— leave out —")), *((f.name, f.label) for f in FIELDS[kind])]


def guess(kind: str, preset_key: str, header: list[str]) -> list[str]:
    """The field each column probably holds: the preset's name for it, else a field whose name
    or label reads the same (any case, spaces or underscores), else left out."""
    preset = PRESETS.get(preset_key)
    known = {_key(name): field for name, field in (preset.columns[kind] if preset else {}).items()}
    for f in FIELDS[kind]:
        known.setdefault(_key(f.name), f.name)
        known.setdefault(_key(str(f.label)), f.name)
    for name, field in COMMON_NAMES[kind].items():
        known.setdefault(name, field)
    taken: set[str] = set()
    fields = []
    for column in header:
        field = known.get(_key(column), IGNORE)
        if field in taken and field not in JOINED:
            field = IGNORE
        taken.add(field)
        fields.append(field)
    return fields


def _key(text: str) -> str:
    return fold(text).replace("_", " ").strip()
