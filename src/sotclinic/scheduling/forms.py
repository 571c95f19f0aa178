import datetime as dt

from django import forms

from sotclinic.patients.models import Patient

from .models import (
    AppointmentType,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "phone", "email"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class ClinicPageForm(forms.ModelForm):
    class Meta:
        model = ClinicSettings
        fields = ["tagline", "opening_hours", "about_visit"]
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
            "about_visit": forms.Textarea(attrs={"rows": 8}),
        }


class BookingRulesForm(forms.ModelForm):
    class Meta:
        model = ClinicSettings
        fields = [
            "slot_step_minutes",
            "min_notice_minutes",
            "horizon_days",
            "cancellation_window_hours",
            "reminder_hours",
        ]

    def clean_slot_step_minutes(self):
        value = self.cleaned_data["slot_step_minutes"]
        if not 5 <= value <= 240:
            raise forms.ValidationError("Use a step between 5 and 240 minutes.")
        return value


PractitionerProfileFormSet = forms.modelformset_factory(
    Practitioner,
    fields=[
        "display_name",
        "credentials",
        "certification_body",
        "certification_level",
        "sot_certification",
        "bio",
        "photo",
    ],
    widgets={"bio": forms.Textarea(attrs={"rows": 3})},
    extra=0,
)

FaqFormSet = forms.modelformset_factory(
    FaqEntry,
    fields=["question", "answer", "position"],
    widgets={"answer": forms.Textarea(attrs={"rows": 3})},
    extra=1,
    can_delete=True,
)


class AppointmentForm(forms.Form):
    """Staff create an appointment at a date and local time."""

    patient = forms.ModelChoiceField(queryset=Patient.objects.all())
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.filter(active=True))
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.all())
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}))

    def start(self) -> dt.datetime:
        data = self.cleaned_data
        local = dt.datetime.combine(data["date"], data["time"], tzinfo=data["location"].tz)
        return local.astimezone(dt.UTC)


class MoveForm(forms.Form):
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
