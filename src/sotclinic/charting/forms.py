"""The visit note form: parses the SOAP and procedure fields; the exam has its own parser."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sotclinic.clinic_locale import current

from .diagnosis_codes import SYSTEM_NAMES, describe, resolve, stored_codes
from .models import ADJUSTMENT_REGIONS, BLOCK_SIDE_CHOICES, CATEGORY_CHOICES, SIDE_CHOICES, Note
from .services import EXAM_CHOICE_FIELDS, NOTE_FIELDS, PROCEDURE_FIELDS, DraftContent

_BLANK = [("", "—")]


class CodesField(forms.MultipleChoiceField):
    """Diagnosis codes as typed or picked: any text; the charting service checks each code's
    format for the clinic's code system (one owner of that rule)."""

    def valid_value(self, value) -> bool:
        return True


_text = {"rows": 3}


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    complaints = forms.CharField(
        label=_("Complaints"), required=False, widget=forms.Textarea(attrs=_text)
    )
    pain_score = forms.IntegerField(
        label=_("Pain today (0–10)"),
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    objective = forms.CharField(
        label=_("Other findings"), required=False, widget=forms.Textarea(attrs=_text)
    )
    confirmed_category = forms.ChoiceField(
        label=_("Category (your call)"), required=False, choices=_BLANK + CATEGORY_CHOICES
    )
    confirmed_side = forms.ChoiceField(
        label=_("Side (your call)"), required=False, choices=_BLANK + SIDE_CHOICES
    )
    override_reason = forms.CharField(
        label=_("Reason, if it differs from the suggestion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assessment = forms.CharField(
        label=_("Assessment notes"), required=False, widget=forms.Textarea(attrs=_text)
    )
    diagnosis_codes = CodesField(label=_("Diagnosis codes"), required=False)
    visit_frequency = forms.CharField(label=_("Visit frequency"), required=False, max_length=200)
    next_visit = forms.DateField(
        label=_("Next visit"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    home_advice = forms.CharField(
        label=_("Home advice"), required=False, widget=forms.Textarea(attrs=_text)
    )
    blocking_category = forms.ChoiceField(
        label=_("Blocking: category used"), required=False, choices=_BLANK + CATEGORY_CHOICES
    )
    blocking_side = forms.ChoiceField(
        label=_("Blocking: side"), required=False, choices=_BLANK + BLOCK_SIDE_CHOICES
    )
    blocking_placements = forms.CharField(
        label=_("Blocking: placements used"), required=False, widget=forms.Textarea(attrs=_text)
    )
    adjustment_regions = forms.MultipleChoiceField(
        label=_("Regions adjusted"),
        required=False,
        choices=ADJUSTMENT_REGIONS,
        widget=forms.CheckboxSelectMultiple,
    )
    cranial = forms.CharField(
        label=_("Cranial work"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cmrt = forms.CharField(
        label=_("CMRT"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    copy_reviewed = forms.BooleanField(
        label=_("I have reviewed the copied findings"), required=False
    )

    def __init__(self, *args, note: Note | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.note = note
        self.fields["diagnosis_codes"].label = _("Diagnosis codes (%(system)s)") % {
            "system": SYSTEM_NAMES[current().diagnosis_codes]
        }

    @classmethod
    def for_note(cls, note: Note) -> "NoteForm":
        exam, procedures = note.exam, note.procedures
        initial = {"version": note.version}
        initial.update({name: getattr(note, name) for name in NOTE_FIELDS})
        initial["diagnosis_codes"] = stored_codes(note.diagnosis_codes)
        initial.update({name: getattr(exam, name) for name in EXAM_CHOICE_FIELDS})
        initial.update({name: getattr(procedures, name) for name in PROCEDURE_FIELDS})
        return cls(initial=initial, note=note)

    def content(self, exam_state: dict | None) -> DraftContent:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return DraftContent(exam_state=exam_state, **data)

    def selected_codes(self) -> list:
        """The chosen codes (bound or initial) with their systems and titles, for the picker:
        a code the note held keeps its system, a new one is the clinic's."""
        before = self.note.diagnosis_codes if self.note is not None else []
        if self.is_bound:
            chosen = self.data.getlist(self.add_prefix("diagnosis_codes"))
        else:
            chosen = self.initial.get("diagnosis_codes") or []
        entries, _malformed = resolve(chosen, before, current().diagnosis_codes)
        return describe(entries)


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}))
