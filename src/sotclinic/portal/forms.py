from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.clinic_locale import DobInputFormats
from sotclinic.patients.phones import normalise_phone
from sotclinic.patients.validators import validate_date_of_birth


class BookingDetailsForm(forms.Form):
    """The patient's details, the last step of booking. Sized and typed for phone keyboards."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autocapitalize": "words"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "autocapitalize": "words"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("We send the confirmation and a link to change or cancel here."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        min_length=5,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=DobInputFormats(),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the clinic keeps these details to manage my appointments and may "
            "contact me about them."
        ),
        error_messages={"required": _("Please agree so that we can keep your details.")},
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_date_of_birth(self):
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])


class LoginLinkForm(forms.Form):
    """The e-mail address a one-time log-in link goes to."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "autofocus": True}
        ),
        help_text=_("The address the clinic has for you. The link works once, for a short time."),
    )
