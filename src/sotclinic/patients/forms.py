import datetime as dt

from django import forms
from django.utils.functional import lazy
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic import clinic_locale
from sotclinic.clinic_locale import DobInputFormats

from .models import Patient
from .phones import normalise_phone
from .validators import validate_date_of_birth, validate_nhs_number

# Written when shown, so the example follows the clinic's date-of-birth order and language.
_invalid_date_message = lazy(
    lambda: (
        _("Enter a real date, e.g. %(example)s or 1980-12-31.")
        % {"example": clinic_locale.dob_example()}
    ),
    str,
)()


class PatientForm(forms.ModelForm):
    """Demographics and contact details, as front desk and practitioners edit them."""

    create_anyway = forms.BooleanField(
        required=False,
        label=gettext_lazy("This is a different person: save anyway"),
        help_text=gettext_lazy("Only tick this after checking the matching record above."),
    )

    # Typed with spaces or hyphens as printed (943 476 5919); stored as the ten digits.
    nhs_number = forms.CharField(
        required=False,
        max_length=14,
        label=gettext_lazy("NHS number"),
        help_text=gettext_lazy("UK patients: the 10-digit NHS number."),
    )

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "email",
            "phone",
            "address",
            "consent_to_contact",
            "contact_channel",
            "insurer_name",
            "insurance_member_id",
            "insurance_group_number",
            "nhs_number",
            "medical_record_number",
        ]
        labels = {
            "first_name": gettext_lazy("First name"),
            "last_name": gettext_lazy("Last name"),
            "date_of_birth": gettext_lazy("Date of birth"),
            "email": gettext_lazy("E-mail"),
            "phone": gettext_lazy("Phone"),
            "address": gettext_lazy("Address"),
            "consent_to_contact": gettext_lazy("Agrees to be contacted by e-mail or phone"),
            "contact_channel": gettext_lazy("Messages by"),
            "gender": gettext_lazy("Administrative gender"),
            "nhs_number": gettext_lazy("NHS number"),
            "medical_record_number": gettext_lazy("Medical record number"),
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        error_messages = {
            "first_name": {"required": gettext_lazy("Enter the first name.")},
            "last_name": {"required": gettext_lazy("Enter the last name.")},
            "date_of_birth": {
                "required": gettext_lazy("Enter the date of birth."),
                "invalid": _invalid_date_message,
            },
            "email": {"invalid": gettext_lazy("Enter an e-mail address like name@example.com.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].input_formats = DobInputFormats()
        # Left out (an older form, a client that does not know it): the record keeps its own.
        self.fields["contact_channel"].required = False

    def clean_first_name(self) -> str:
        return self._name("first_name", "Enter the first name.")

    def clean_last_name(self) -> str:
        return self._name("last_name", "Enter the last name.")

    def _name(self, field: str, message: str) -> str:
        value = " ".join(self.cleaned_data.get(field, "").split())
        if not value:
            raise forms.ValidationError(message)
        return value

    def clean_date_of_birth(self) -> dt.date:
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_contact_channel(self) -> str:
        return self.cleaned_data.get("contact_channel") or self.instance.contact_channel

    def clean_email(self) -> str:
        return self.cleaned_data.get("email", "").strip()

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "").strip()
        return validate_nhs_number(value) if value else ""

    def clean_medical_record_number(self) -> str:
        return self.cleaned_data.get("medical_record_number", "").strip()

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))


class SearchBox(forms.TextInput):
    """A text input written as Django's widget templates write it (``input.html`` and its
    ``attrs.html``), in Python: the patient list draws its search box on every search, and
    through the template engine that was a tenth of the page's own time."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(name)}"'
        ]
        if widget["value"] is not None:
            html.append(f' value="{escape(widget["value"])}"')
        for key, given in widget["attrs"].items():
            if given is True:
                html.append(f" {conditional_escape(key)}")
            elif given is not False:
                html.append(f' {conditional_escape(key)}="{escape(given)}"')
        html.append(">")
        return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Find a patient"),
        help_text=lazy(
            lambda: (
                _(
                    "Part of a name, an e-mail, a phone number (digits compared), or a date of "
                    "birth as %(pattern)s or YYYY-MM-DD."
                )
                % {"pattern": clinic_locale.dob_pattern()}
            ),
            str,
        )(),
        widget=SearchBox(attrs={"type": "search", "autocomplete": "off", "autofocus": True}),
    )
