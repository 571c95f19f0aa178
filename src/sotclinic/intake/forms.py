"""The intake's steps as forms. Each form checks its own fields and puts every message next to
the field it is about; ``section()`` gives the JSON that the step saves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.clinic_locale import DobInputFormats
from sotclinic.patients.phones import normalise_phone
from sotclinic.patients.validators import validate_date_of_birth

from .instruments import Instrument, ScoringError, complaints, score
from .precautions import MAX_PREGNANCY_WEEKS, default_precautions
from .redflags import Question, questions_for
from .steps import ONSET_CHOICES, RED_FLAG_CHOICES, complaint_titles

# Precautions asked as yes/no in the history step; pregnancy has its own field with weeks.
PRECAUTION_QUESTIONS = (
    "postpartum",
    "anticoagulants",
    "osteoporosis_steroids",
    "connective_tissue",
)


class AboutForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    date_of_birth = forms.DateField(
        label=gettext_lazy("Date of birth"),
        input_formats=DobInputFormats(),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("For example 1980-05-17."),
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    address = forms.CharField(
        label=gettext_lazy("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_date_of_birth(self) -> dt.date:
        return validate_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and not self.errors:
            self.add_error(
                "phone", _("Give a phone number or an e-mail so the clinic can reach you.")
            )
        return data

    def section(self) -> dict:
        data = dict(self.cleaned_data)
        data["date_of_birth"] = data["date_of_birth"].isoformat()
        return data


class HistoryForm(forms.Form):
    conditions = forms.CharField(
        label=gettext_lazy("Past and current health conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example diabetes, high blood pressure, heart disease. Write 'none' if none."
        ),
    )
    surgeries = forms.CharField(
        label=gettext_lazy("Operations and serious injuries"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Write 'none' if none."),
    )
    medications = forms.CharField(
        label=gettext_lazy("Medicines you take"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Name and dose, including over-the-counter. Write 'none' if none."),
    )
    allergies = forms.CharField(
        label=gettext_lazy("Allergies"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pregnant = forms.ChoiceField(
        label=default_precautions()["pregnancy"].question,
        choices=[
            ("no", gettext_lazy("No")),
            ("yes", gettext_lazy("Yes")),
            ("not_applicable", gettext_lazy("Does not apply")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Answer yes, no or does not apply.")},
    )
    pregnancy_weeks = forms.IntegerField(
        label=gettext_lazy("If you are pregnant: how many weeks?"),
        required=False,
        min_value=1,
        max_value=MAX_PREGNANCY_WEEKS,
        help_text=gettext_lazy("Your best estimate is fine, for example 24."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": gettext_lazy("Give the weeks of pregnancy as a number from 1 to 42."),
            "max_value": gettext_lazy("Give the weeks of pregnancy as a number from 1 to 42."),
            "invalid": gettext_lazy("Give the weeks of pregnancy as a number from 1 to 42."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The other precautions, asked of every patient whatever the complaint.
        for code in PRECAUTION_QUESTIONS:
            self.fields[code] = forms.ChoiceField(
                label=default_precautions()[code].question,
                choices=[("no", _("No")), ("yes", _("Yes"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )

    def clean(self):
        data = super().clean()
        if data.get("pregnant") == "yes" and data.get("pregnancy_weeks") is None:
            if "pregnancy_weeks" not in self.errors:
                self.add_error(
                    "pregnancy_weeks",
                    _("Say how many weeks pregnant you are (your best estimate)."),
                )
        elif data.get("pregnant") in ("no", "not_applicable"):
            data["pregnancy_weeks"] = None
        return data

    def section(self) -> dict:
        return dict(self.cleaned_data)


class ComplaintsForm(forms.Form):
    """Which complaints, and for each its onset and severity (region = the complaint)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        titles = complaint_titles()
        self.fields["complaints"] = forms.MultipleChoiceField(
            label=_("What brings you in? Tick all that apply."),
            choices=list(titles.items()),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Choose at least one.")},
        )
        for complaint, title in titles.items():
            self.fields[f"{complaint}_onset"] = forms.ChoiceField(
                label=_("%(title)s: when did it start?") % {"title": title},
                choices=ONSET_CHOICES,
                required=False,
            )
            self.fields[f"{complaint}_severity"] = forms.IntegerField(
                label=_("%(title)s: how bad is it today, 0 (none) to 10 (worst)?")
                % {"title": title},
                min_value=0,
                max_value=10,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"{complaint}_notes"] = forms.CharField(
                label=_("%(title)s: anything else (where exactly, what makes it worse)?")
                % {"title": title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        for complaint in data.get("complaints") or ():
            if not data.get(f"{complaint}_onset"):
                self.add_error(f"{complaint}_onset", _("Say when it started."))
            if data.get(f"{complaint}_severity") is None and f"{complaint}_severity" not in (
                self.errors
            ):
                self.add_error(f"{complaint}_severity", _("Give a number from 0 to 10."))
        return data

    def groups(self) -> list[tuple[str, str, list]]:
        """Fields grouped per complaint, for the template."""
        return [
            (c, title, [self[f"{c}_{part}"] for part in ("onset", "severity", "notes")])
            for c, title in complaint_titles().items()
        ]

    def section(self) -> dict:
        chosen = [c for c in complaints() if c in self.cleaned_data["complaints"]]
        return {
            "complaints": chosen,
            "details": {
                c: {
                    "onset": self.cleaned_data[f"{c}_onset"],
                    "severity": self.cleaned_data[f"{c}_severity"],
                    "notes": self.cleaned_data[f"{c}_notes"],
                }
                for c in chosen
            },
        }

    @staticmethod
    def initial_from(complaints_chosen: Sequence[str], details: dict) -> dict:
        initial: dict = {"complaints": list(complaints_chosen)}
        for complaint, detail in details.items():
            for part in ("onset", "severity", "notes"):
                initial[f"{complaint}_{part}"] = detail.get(part)
        return initial


class RedFlagForm(forms.Form):
    """Yes / no / not sure for each safety question that applies to the chosen complaints."""

    def __init__(
        self, *args, chosen: Iterable[str] = (), answered: Iterable[str] = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # ``answered``: questions another step already asked (pregnancy), not asked twice.
        skip = set(answered)
        self.questions: tuple[Question, ...] = tuple(
            q for q in questions_for(list(chosen)) if q.id not in skip
        )
        for question in self.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=RED_FLAG_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes, no or not sure.")},
            )

    def section(self) -> dict:
        return {q.id: self.cleaned_data[q.id] for q in self.questions}


def _field_name(instrument: Instrument, item_id: str) -> str:
    return f"{instrument.id}__{item_id}"


def _recall_field_name(instrument: Instrument) -> str:
    return f"{instrument.id}__recall_period"


def clinic_recall_period(instrument: Instrument) -> str:
    """The recall period the clinic asks this instrument with (its setting, if the instrument
    offers that period), or the instrument's own default."""
    from .models import QuestionnaireSettings

    chosen = QuestionnaireSettings.load().nprs_recall_period
    if chosen in instrument.recall_period_ids:
        return chosen
    return instrument.default_recall_period


class QuestionnaireForm(forms.Form):
    """The items of each instrument, rendered from its definition; checked by its scorer.

    An instrument with selectable recall periods is worded for the clinic's period; the
    period travels with the form (a hidden field), so the answer records the wording the
    patient actually read, even if the setting changes while the page is open.
    """

    def __init__(self, *args, instruments: Sequence[Instrument] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.recall_periods: dict[str, str] = {}
        self.instruments = tuple(self._worded(i) for i in instruments)
        for instrument in self.instruments:
            if instrument.recall_periods:
                self.fields[_recall_field_name(instrument)] = forms.ChoiceField(
                    choices=[(p, p) for p in instrument.recall_period_ids],
                    initial=self.recall_periods[instrument.id],
                    widget=forms.HiddenInput,
                    required=False,
                )
            for item in instrument.items:
                self.fields[_field_name(instrument, item.id)] = self._item_field(item)

    def _worded(self, instrument: Instrument) -> Instrument:
        if not instrument.recall_periods:
            self.recall_periods[instrument.id] = ""
            return instrument
        posted = self.data.get(_recall_field_name(instrument)) if self.is_bound else None
        if posted not in instrument.recall_period_ids:
            posted = self.initial.get(_recall_field_name(instrument))
        period = (
            posted if posted in instrument.recall_period_ids else clinic_recall_period(instrument)
        )
        self.recall_periods[instrument.id] = period
        return instrument.worded(period)

    @staticmethod
    def _item_field(item) -> forms.Field:
        if item.answer.type == "tick":
            return forms.BooleanField(label=item.text, required=False)
        if item.answer.type == "time":
            return forms.TimeField(
                label=item.text,
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={"invalid": _("Give a time such as 23:15.")},
            )
        values = item.answer.allowed_values() or ()
        if item.answer.type == "integer" and len(values) > 11:
            # A count of minutes or awakenings: a number box, not hundreds of radio buttons.
            return forms.IntegerField(
                label=item.text,
                required=False,
                min_value=item.answer.minimum,
                max_value=item.answer.maximum,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        if item.answer.type == "choice":
            choices = [(o.value, o.label) for o in item.answer.options]
        else:
            anchors = dict(item.answer.anchors)
            choices = [(v, f"{v} – {anchors[v]}" if v in anchors else str(v)) for v in values]
        return forms.TypedChoiceField(
            label=item.text,
            choices=choices,
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            error_messages={"required": _("Choose one answer.")},
        )

    def groups(self) -> list[tuple[Instrument, list]]:
        return [(i, [self[_field_name(i, item.id)] for item in i.items]) for i in self.instruments]

    def hidden_recall_fields(self) -> list:
        return [self[_recall_field_name(i)] for i in self.instruments if i.recall_periods]

    def clean(self):
        data = super().clean()
        for instrument in self.instruments:
            try:
                score(instrument, self._answers(instrument, data))
            except ScoringError as exc:
                name = _field_name(instrument, exc.item or instrument.items[0].id)
                if name not in self.errors:
                    self.add_error(name, str(exc).split(": ", 1)[-1])
        return data

    def _answers(self, instrument: Instrument, data: dict) -> dict:
        answers = {}
        for item in instrument.items:
            value = data.get(_field_name(instrument, item.id))
            if isinstance(value, dt.time):
                value = value.strftime("%H:%M")
            answers[item.id] = value
        return answers

    def section(self) -> dict:
        section = {}
        for i in self.instruments:
            entry = {"version": i.version, "answers": self._answers(i, self.cleaned_data)}
            if i.recall_periods:
                entry["recall_period"] = self.recall_periods[i.id]
            section[i.id] = entry
        return section

    @staticmethod
    def initial_from(answers: dict) -> dict:
        initial = {}
        for instrument_id, entry in answers.items():
            for item_id, value in entry.get("answers", {}).items():
                initial[f"{instrument_id}__{item_id}"] = value
            if entry.get("recall_period"):
                initial[f"{instrument_id}__recall_period"] = entry["recall_period"]
        return initial


class ConsentText(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I have read the information about care at this clinic and consent to assessment "
            "and care. I can withdraw my consent at any time."
        ),
        error_messages={
            "required": gettext_lazy("Tick the box to give consent, or speak to the clinic.")
        },
    )

    def section(self) -> dict:
        return {"consent": True}


class HandlingForm(forms.Form):
    """How a practitioner handled one red flag."""

    handling = forms.ChoiceField(
        label=gettext_lazy("How was it handled?"),
        choices=[
            ("referred", gettext_lazy("Referred for medical assessment")),
            ("ruled_out", gettext_lazy("Ruled out after assessment")),
            ("other", gettext_lazy("Other")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how the flag was handled.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Reason / note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when ruled out or other: what you found and why."),
    )

    def clean(self):
        data = super().clean()
        if data.get("handling") in ("ruled_out", "other") and not data.get("note", "").strip():
            self.add_error(
                "note", _("Give the reason: what you examined or asked, and what you found.")
            )
        return data
