import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.clinic_locale import default_code_system, default_us_billing_codes
from sotclinic.patients.models import Patient

from .errors import BookingError
from .identifiers import normalise_tax_id
from .models import (
    DURATION_MINUTES,
    AppointmentType,
    CancellationReason,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "phone", "email"]
        labels = {
            "name": _("Name"),
            "address": _("Address"),
            "phone": _("Phone"),
            "email": _("E-mail"),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class ClinicPageForm(forms.ModelForm):
    class Meta:
        model = ClinicSettings
        fields = ["tagline", "opening_hours", "about_visit", "emergency_number"]
        labels = {"tagline": _("Tagline"), "opening_hours": _("Opening hours")}
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
        labels = {
            "slot_step_minutes": _("Slot step (minutes)"),
            "min_notice_minutes": _("Minimum notice (minutes)"),
            "horizon_days": _("Bookable ahead (days)"),
            "cancellation_window_hours": _("Cancellation window (hours)"),
            "reminder_hours": _("Reminder (hours before)"),
        }


# A formset builds as many forms as the post claims (Django stops only at absolute_max, 1000
# by default), so a forged form count made the clinic page take most of a minute to answer.
MAX_PROFILES = 50
MAX_FAQ_ENTRIES = 50

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
        "npi",
        "registration_number",
    ],
    labels={
        "display_name": _("Name shown"),
        "credentials": _("Credentials"),
        "bio": _("About"),
        "photo": _("Photo"),
    },
    widgets={"bio": forms.Textarea(attrs={"rows": 3})},
    extra=0,
    max_num=MAX_PROFILES,
    absolute_max=MAX_PROFILES,
    validate_max=True,
)

FaqFormSet = forms.modelformset_factory(
    FaqEntry,
    fields=["question", "answer", "position"],
    labels={"question": _("Question"), "answer": _("Answer"), "position": _("Position")},
    widgets={"answer": forms.Textarea(attrs={"rows": 3})},
    extra=1,
    can_delete=True,
    max_num=MAX_FAQ_ENTRIES,
    absolute_max=MAX_FAQ_ENTRIES,
    validate_max=True,
)


class OutsideHoursOverride(forms.Form):
    """The "book outside opening hours" checkbox: hidden until the booking service has
    warned that the time is outside the practitioner's hours, so nobody ticks it in advance."""

    outside_hours = forms.BooleanField(
        required=False, label=_("Book outside opening hours"), widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data.get(self.add_prefix("outside_hours")) in ("on", "true", "True"):
            self.offer_outside_hours()

    def offer_outside_hours(self) -> None:
        self.fields["outside_hours"].widget = forms.CheckboxInput()

    def add_error(self, field, error) -> None:
        if field == "outside_hours":  # the warning comes with the box that overrides it
            self.offer_outside_hours()
        super().add_error(field, error)


class AppointmentForm(OutsideHoursOverride):
    """Staff create an appointment at a date and local time."""

    # Chosen from the search results (radio buttons), or empty when registering a new patient.
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(), required=False, label=_("Patient")
    )
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(active=True), label=_("Appointment type")
    )
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(active=True), label=_("Practitioner")
    )
    location = forms.ModelChoiceField(queryset=Location.objects.all(), label=_("Location"))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Date"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}), label=_("Time")
    )

    def start(self) -> dt.datetime:
        data = self.cleaned_data
        local = dt.datetime.combine(data["date"], data["time"], tzinfo=data["location"].tz)
        return local.astimezone(dt.UTC)


class FreeTimesForm(forms.Form):
    """What the free-time finder looks for: a type, with a practitioner or anyone."""

    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"), queryset=AppointmentType.objects.filter(active=True)
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.all(), required=False
    )
    date = forms.DateField(label=_("Date"), required=False)


WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def settled_series_starts(post, tz: dt.tzinfo) -> list[dt.datetime]:
    """The starts (UTC) the front desk settled on for a planned series (of appointments or of
    a care plan's visits), read from the rows of the posted plan: each planned start
    (``start-N``) kept, skipped (``choice-N`` = skip) or replaced by the date and time given
    beside it (``choice-N`` = move); BookingError when a moved row lacks a date or time."""
    starts = []
    for key in sorted(k for k in post if k.startswith("start-")):
        start = settled_row_start(post, key.removeprefix("start-"), tz)
        if start is not None:
            starts.append(start)
    return starts


def settled_row_start(post, n: str, tz: dt.tzinfo) -> dt.datetime | None:
    """Row ``n`` of a planned series: its start (``start-N``) kept, None when skipped
    (``choice-N`` = skip), or the date and time given beside it (``choice-N`` = move)."""
    choice = post.get(f"choice-{n}", "keep")
    if choice == "skip":
        return None
    try:
        start = dt.datetime.fromisoformat(post.get(f"start-{n}", ""))
        if choice == "move":
            day = dt.date.fromisoformat(post.get(f"date-{n}", ""))
            time = dt.time.fromisoformat(post.get(f"time-{n}", ""))
            start = dt.datetime.combine(day, time, tzinfo=tz)
    except ValueError as exc:
        raise BookingError(_("Give a date and a time for each moved appointment.")) from exc
    if start.tzinfo is None:
        raise BookingError(_("Give a date and a time for each moved appointment."))
    return start.astimezone(dt.UTC)


class SeriesForm(forms.Form):
    """A series: the same time on some weekdays for a number of weeks."""

    patient = forms.ModelChoiceField(
        label=_("Patient"),
        queryset=Patient.objects.all(),
        error_messages={"required": _("Choose a patient.")},
    )
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"), queryset=AppointmentType.objects.filter(active=True)
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True)
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.all())
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one weekday.")},
    )
    weeks = forms.IntegerField(label=_("For how many weeks"), min_value=1, max_value=26)


class SlotQueryForm(forms.Form):
    """A time on the calendar (query string of a click on an empty slot)."""

    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True)
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.all())
    date = forms.DateField(
        label=_("Date"),
    )
    time = forms.TimeField(
        label=_("Time"),
    )


class MoveForm(OutsideHoursOverride):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(active=True), label=_("Practitioner")
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Date"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}), label=_("Time")
    )
    # Empty keeps the appointment's length; the move service says which lengths its type allows.
    length = forms.IntegerField(
        label=_("Length (minutes)"), required=False, min_value=1, max_value=DURATION_MINUTES[1]
    )


class SeriesMoveForm(forms.Form):
    """The new date and time of the first appointment moved; the others follow by as much."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("New date"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}), label=_("New time")
    )


class CancelForm(forms.Form):
    """Why an appointment is cancelled: a listed reason, and a note (needed for "other")."""

    reason = forms.ChoiceField(
        label=_("Why is it cancelled?"),
        choices=CancellationReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == CancellationReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say briefly why in the note."))
        return data


class ClinicLocaleForm(forms.ModelForm):
    """The clinic's language, formats and regional defaults."""

    class Meta:
        model = ClinicSettings
        fields = [
            "language",
            "time_format",
            "date_order",
            "first_day_of_week",
            "dob_order",
            "currency",
            "phone_region",
            "diagnosis_codes",
            "us_billing_codes",
            "billing_name",
            "npi",
            "tax_id",
            "registration_number",
        ]
        labels = {
            "language": _("Language"),
            "first_day_of_week": _("First day of the week"),
            "currency": _("Currency"),
            "phone_region": _("Phone region"),
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_phone_region(self) -> str:
        return self.cleaned_data["phone_region"].strip().upper()

    def clean(self) -> dict:
        data = super().clean()
        # A clinic that moves to another country and leaves the code settings as they were
        # gets that country's defaults (ICD-10-CM and US billing codes in the US only).
        if "phone_region" in self.changed_data and "phone_region" in data:
            if "diagnosis_codes" not in self.changed_data:
                data["diagnosis_codes"] = default_code_system(data["phone_region"])
            if "us_billing_codes" not in self.changed_data:
                data["us_billing_codes"] = default_us_billing_codes(data["phone_region"])
        return data

    def clean_tax_id(self) -> str:
        return normalise_tax_id(self.cleaned_data["tax_id"].strip())


WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class WaitlistForm(forms.Form):
    """A wish for the waitlist: type, practitioner or anyone, the days and the time of day
    that suit, maybe a first and a last day, and a note. ``kinds`` and ``practitioners`` are
    what the person may choose from."""

    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"),
        queryset=AppointmentType.objects.none(),
        error_messages={"required": _("Choose an appointment type.")},
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days that suit"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one day of the week.")},
    )
    earliest = forms.TimeField(
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=dt.time(8),
    )
    latest = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=dt.time(18),
        help_text=_("The visit starts at or after the first time and ends by the second."),
    )
    first_day = forms.DateField(
        label=_("Not before (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=_("Not after (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kinds, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = kinds
        self.fields["practitioner"].queryset = practitioners

    def clean(self):
        data = super().clean()
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest <= earliest:
            self.add_error("latest", _("Give a time after the first one."))
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("Give a day on or after the first day."))
        return data

    def wish(self) -> dict:
        """The cleaned wish, as `waitlist.add_to_waitlist` takes it."""
        return {
            key: self.cleaned_data[key]
            for key in (
                "appointment_type",
                "practitioner",
                "weekdays",
                "earliest",
                "latest",
                "first_day",
                "last_day",
                "note",
            )
        }


class WaitlistFilterForm(forms.Form):
    """The staff waitlist's filters."""

    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Waiting")), ("closed", _("Closed"))],
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.filter(active=True),
        required=False,
        empty_label=_("All"),
    )
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"),
        queryset=AppointmentType.objects.filter(active=True),
        required=False,
        empty_label=_("All"),
    )
