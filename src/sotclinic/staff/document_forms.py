"""Forms of the documents tab: an upload, a request to the patient, a letter, an addendum, a
consent text."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.documents.content import ACCEPTED
from sotclinic.documents.models import CLINICAL_KINDS, Kind


def kind_choices(user) -> list[tuple[str, str]]:
    """The kinds this member of staff may add: front desk no clinical ones."""
    return [
        (v, label) for v, label in Kind.choices if user.is_practitioner or v not in CLINICAL_KINDS
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=200)
    shared_with_patient = forms.BooleanField(
        label=_("Show to the patient in the portal"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(user)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("What the patient should upload"), max_length=200)
    note = forms.CharField(
        label=_("Note to the patient"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(user)


class LetterForm(forms.Form):
    recipient = forms.CharField(
        label=_("To (the doctor's name and address)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    body = forms.CharField(
        label=_("Letter"), widget=forms.Textarea(attrs={"rows": 24}), max_length=50_000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class ConsentTextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text the patient reads and signs"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=50_000,
        help_text=_("Plain words about what the patient agrees to; no claims about results."),
    )
    active = forms.BooleanField(label=_("Ask patients to sign it"), required=False, initial=True)
