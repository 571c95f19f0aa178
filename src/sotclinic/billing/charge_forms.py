"""Forms of the charges pages: what front desk types, read into what the services take."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .amounts import to_major, to_minor
from .errors import BillingError
from .models import ChargeDraft, PatientPackage, Service


def _numbers(text: str) -> list[int]:
    parts = [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise forms.ValidationError(_("Enter numbers separated by commas, e.g. 1, 2."))
    return [int(part) for part in parts]


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("error_messages", {"min_value": _("An amount cannot be negative.")})
        super().__init__(**kwargs)


def minor_amount(form: forms.Form, field: str, currency: str) -> int | None:
    value = form.cleaned_data.get(field)
    if value is None:
        return None
    try:
        return to_minor(value, currency)
    except BillingError as error:
        form.add_error(field, error.message)
        return None


class ChargeDraftForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    modifiers = forms.CharField(
        label=_("Modifiers"), max_length=20, required=False, help_text=_("e.g. AT, 25")
    )
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=99)
    pointers = forms.CharField(
        label=_("Diagnosis pointers"), max_length=20, required=False, help_text=_("e.g. 1, 2")
    )
    amount = AmountField(label=_("Amount"))

    def __init__(self, *args, draft: ChargeDraft, **kwargs):
        self.draft = draft
        kwargs.setdefault("prefix", f"d{draft.pk}")
        kwargs.setdefault(
            "initial",
            {
                "code": draft.code,
                "modifiers": ", ".join(draft.modifiers),
                "units": draft.units,
                "pointers": ", ".join(str(p) for p in draft.diagnosis_pointers),
                "amount": to_major(draft.amount, draft.currency),
            },
        )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # One row of a table: the column header names the field, the input says it too.
            field.widget.attrs.update({"aria-label": field.label, "form": f"f{draft.pk}"})

    def clean_pointers(self) -> list[int]:
        return _numbers(self.cleaned_data["pointers"])

    def clean_modifiers(self) -> list[str]:
        text = self.cleaned_data["modifiers"].replace(";", ",").replace(" ", ",")
        return [part.strip().upper() for part in text.split(",") if part.strip()]

    def clean(self):
        data = super().clean()
        data["amount_minor"] = minor_amount(self, "amount", self.draft.currency)
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "modifiers": data["modifiers"],
            "units": data["units"],
            "diagnosis_pointers": data["pointers"],
            "amount": data["amount_minor"],
        }


class AddChargeForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.filter(active=True), empty_label=None
    )
    amount = AmountField(
        label=_("Amount"), required=False, help_text=_("Leave empty for the fee schedule's price.")
    )

    def __init__(self, *args, currency: str, **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        data["amount_minor"] = minor_amount(self, "amount", self.currency)
        return data


class PostVisitForm(forms.Form):
    package = forms.ModelChoiceField(
        label=_("Pay with package"),
        queryset=PatientPackage.objects.none(),
        required=False,
        empty_label=_("No, bill the patient"),
    )

    def __init__(self, *args, packages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = PatientPackage.objects.filter(
            pk__in=[package.pk for package in packages]
        )
