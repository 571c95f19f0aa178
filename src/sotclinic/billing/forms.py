"""The account page's forms. Amounts are typed in major units (``12.50``), read as ``Decimal``
and turned into whole minor units of the account's currency; more decimals than the currency
has are refused, never rounded."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.money import minor_unit_exponent

from .models import LedgerEntry, PaymentMethod

# Far above any patient's bill; keeps a typo (or a pasted number) from reaching the database.
MAX_MINOR_UNITS = 10**11


def to_minor_units(text: str, currency: str) -> int:
    """``"12.50"`` in GBP is 1250; raises ValidationError for anything that is not a positive
    amount with at most the currency's decimals."""
    cleaned = (text or "").strip().replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError(_("Enter an amount such as 12.50.")) from None
    if not amount.is_finite():
        raise forms.ValidationError(_("Enter an amount such as 12.50."))
    exponent = minor_unit_exponent(currency)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise forms.ValidationError(
            _("%(currency)s amounts have at most %(places)s decimal places.")
            % {"currency": currency, "places": exponent}
        )
    if minor <= 0:
        raise forms.ValidationError(_("Enter an amount greater than zero."))
    if minor >= MAX_MINOR_UNITS:
        raise forms.ValidationError(_("This amount is too large."))
    return int(minor)


class AmountForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].help_text = _("In %(currency)s, e.g. 45.00") % {"currency": currency}

    def clean_amount(self) -> int:
        return to_minor_units(self.cleaned_data["amount"], self.currency)


class PaymentForm(AmountForm):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)
    invoice = forms.ModelChoiceField(
        label=_("Invoice"), queryset=None, required=False, empty_label=_("(none)")
    )

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = invoices


class RefundForm(AmountForm):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class CreditForm(AmountForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is it reversed?"), max_length=300)


class InvoiceForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(
        label=_("Entries to invoice"),
        queryset=LedgerEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one entry to invoice.")},
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date cannot be before the start date."))
        return data
