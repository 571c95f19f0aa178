"""The two steps of an import: choose the file, then map its columns and check it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic import clinic_locale

from .mapping import (
    FIELDS,
    GENERIC,
    OTHER_NAME_LENGTH,
    PRESET_CHOICES,
    field_choices,
    is_source,
    other_source,
)
from .models import RecordKind

DATE_ORDER_CHOICES = [
    (clinic_locale.DAY_MONTH_YEAR, _("Day first (31/12/2026)")),
    (clinic_locale.MONTH_DAY_YEAR, _("Month first (12/31/2026)")),
    (clinic_locale.YEAR_MONTH_DAY, _("Year first (2026-12-31)")),
]


FILE_KINDS = [
    (RecordKind.PATIENT, _("Patients")),
    (RecordKind.APPOINTMENT, _("Future appointments")),
    (RecordKind.OPENING_BALANCE, _("Opening balances")),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=FILE_KINDS)
    source = forms.ChoiceField(label=_("Exported from"), choices=PRESET_CHOICES)
    system_name = forms.CharField(
        label=_("Name of that system"),
        max_length=OTHER_NAME_LENGTH,
        required=False,
        help_text=_(
            "For another system: its name, the same each time, so that its records are "
            "told apart from another system's with the same ids."
        ),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A CSV export of at most 2 MB and 2,000 rows."),
        error_messages={"required": _("Choose the CSV file to import.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == GENERIC:
            name = cleaned.get("system_name", "")
            if not name.strip():
                self.add_error("system_name", _("Give the name of the system the file is from."))
            else:
                cleaned["source"] = other_source(name)
        return cleaned


class MappingForm(forms.Form):
    """The field of each column of a stored upload, and how dates are written."""

    kind = forms.ChoiceField(choices=RecordKind.choices, widget=forms.HiddenInput)
    source = forms.CharField(widget=forms.HiddenInput)
    date_order = forms.ChoiceField(
        label=_("Dates in the file are written"), choices=DATE_ORDER_CHOICES
    )
    accept_outside_hours = forms.BooleanField(
        required=False,
        label=_("Keep appointments that fall outside opening hours (they were agreed before)"),
    )

    def __init__(self, *args, header: list[str] = (), kind: str = RecordKind.PATIENT, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = list(header)
        self.kind = kind
        for index, name in enumerate(self.header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name or _("(no name)"), choices=field_choices(kind), required=False
            )

    def clean_source(self) -> str:
        source = self.cleaned_data["source"]
        if not is_source(source):  # a hidden field: said above the form, not beside it
            self.add_error(None, _("Choose the system the file is from again."))
        return source

    @property
    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.header))]

    def mapped(self) -> list[str]:
        return [self.cleaned_data[f"column_{index}"] for index in range(len(self.header))]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        missing = [
            str(f.label) for f in FIELDS[self.kind] if f.required and f.name not in self.mapped()
        ]
        if missing:
            raise forms.ValidationError(
                _("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)}
            )
        return cleaned
