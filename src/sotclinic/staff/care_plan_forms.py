"""Forms of the care plan pages: they parse what was typed; the rules (phases that add up,
re-exams within the plan, goals on shipped questionnaires) are checked by billing.care_plans."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.billing.care_plans import goal_instruments
from sotclinic.billing.models import CarePlanTemplate, Service, phase_phrase
from sotclinic.scheduling.forms import WEEKDAY_CHOICES
from sotclinic.scheduling.models import AppointmentType, Location, Practitioner

PHASE_ROWS = 3
GOAL_ROWS = 3


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class ScheduleFields(forms.Form):
    """Up to three phases (visits a week × weeks) and the re-exam visit numbers."""

    reexam_visits = forms.CharField(
        label=_("Re-exam at visits"),
        required=False,
        help_text=_("Visit numbers separated by commas, e.g. 12, 24."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, PHASE_ROWS + 1):
            self.fields[f"phase{n}_per_week"] = forms.IntegerField(
                label=_("Phase %(n)s: visits a week") % {"n": n}, required=False, min_value=1
            )
            self.fields[f"phase{n}_weeks"] = forms.IntegerField(
                label=_("Phase %(n)s: weeks") % {"n": n}, required=False, min_value=1
            )

    @staticmethod
    def initial_schedule(phases, reexam_visits) -> dict:
        initial = {"reexam_visits": ", ".join(str(n) for n in reexam_visits)}
        for n, phase in enumerate(phases[:PHASE_ROWS], start=1):
            initial[f"phase{n}_per_week"] = phase["visits_per_week"]
            initial[f"phase{n}_weeks"] = phase["weeks"]
        return initial

    def clean_reexam_visits(self) -> list[int]:
        raw = self.cleaned_data["reexam_visits"].replace(" ", "")
        try:
            return [int(n) for n in raw.split(",") if n]
        except ValueError:
            raise forms.ValidationError(_("Give visit numbers separated by commas.")) from None

    def clean(self):
        data = super().clean()
        phases = []
        for n in range(1, PHASE_ROWS + 1):
            per_week, weeks = data.get(f"phase{n}_per_week"), data.get(f"phase{n}_weeks")
            if per_week is None and weeks is None:
                continue
            if per_week is None or weeks is None:
                self.add_error(f"phase{n}_weeks", _("Give both visits a week and weeks."))
                continue
            phases.append({"visits_per_week": per_week, "weeks": weeks})
        data["phases"] = phases
        return data


class TemplateForm(ScheduleFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"),
        queryset=AppointmentType.objects.filter(active=True),
        required=False,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services per visit (for the fee estimate)"),
        queryset=Service.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Offered for new plans"), required=False, initial=True)


class PlanForm(ScheduleFields):
    template = forms.ModelChoiceField(
        label=_("Start from template"),
        queryset=CarePlanTemplate.objects.filter(active=True),
        required=False,
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True)
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.all())
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"), queryset=AppointmentType.objects.filter(active=True)
    )
    start_date = forms.DateField(label=_("First visit on or after"), widget=_date_input())
    services = forms.ModelMultipleChoiceField(
        label=_("Services per visit (for the fee estimate)"),
        queryset=Service.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes for the patient"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *goal_instruments()]
        for n in range(1, GOAL_ROWS + 1):
            self.fields[f"goal{n}_instrument"] = forms.ChoiceField(
                label=_("Goal %(n)s: questionnaire") % {"n": n}, choices=choices, required=False
            )
            self.fields[f"goal{n}_target"] = forms.DecimalField(
                label=_("Goal %(n)s: target score") % {"n": n},
                required=False,
                max_digits=7,
                decimal_places=2,
            )
            self.fields[f"goal{n}_note"] = forms.CharField(
                label=_("Goal %(n)s: note") % {"n": n}, required=False, max_length=300
            )

    def clean(self):
        data = super().clean()
        goals = []
        for n in range(1, GOAL_ROWS + 1):
            instrument, target = data.get(f"goal{n}_instrument"), data.get(f"goal{n}_target")
            if not instrument and target is None:
                continue
            if not instrument or target is None:
                self.add_error(f"goal{n}_target", _("Give the questionnaire and the target."))
                continue
            goals.append((instrument, target, data.get(f"goal{n}_note", "")))
        data["goals"] = goals
        return data


class PlanBookingForm(forms.Form):
    """When front desk books the plan: from which day, at what time, with whom, on which
    weekdays in each phase."""

    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True)
    )
    first_day = forms.DateField(label=_("From"), widget=_date_input())
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )

    def __init__(self, *args, phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.phase_fields = []
        for n, phase in enumerate(phases, start=1):
            name = f"weekdays{n}"
            self.fields[name] = forms.TypedMultipleChoiceField(
                label=_("Phase %(n)s (%(schedule)s): on")
                % {"n": n, "schedule": phase_phrase(phase)},
                choices=WEEKDAY_CHOICES,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Tick at least one weekday.")},
            )
            self.phase_fields.append(name)

    def clean(self):
        data = super().clean()
        data["weekdays"] = [data.get(name) or [] for name in self.phase_fields]
        return data


class ReplacementForm(forms.Form):
    """When and with whom the visit replacing a missed one is booked."""

    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True)
    )
    day = forms.DateField(label=_("Date"), widget=_date_input())
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )
