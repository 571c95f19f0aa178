"""Visits and their notes: the SOAP note, the SOT exam record, procedures and addenda.

A signed note never changes. The service layer refuses it, ``save()`` and ``delete()`` refuse
it, and database triggers (migration 0002) refuse UPDATE and DELETE of a signed note's rows on
PostgreSQL and SQLite. Corrections are addenda.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.clinic_locale import ICD10, ICD10CM
from sotclinic.exam.words import category_name_lazy, side_short_lazy
from sotclinic.sot import CATEGORIES, LATERAL_SIDES

from .errors import NoteSigned

CATEGORY_CHOICES = [(c, category_name_lazy(c)) for c in CATEGORIES]
SIDE_CHOICES = [(s, side_short_lazy(s)) for s in LATERAL_SIDES]
BLOCK_SIDE_CHOICES = [*SIDE_CHOICES, ("bilateral", gettext_lazy("Bilateral"))]

# Spinal and other regions adjusted: the count per visit is the groundwork for billing codes
# (CMT codes are billed by number of spinal regions).
ADJUSTMENT_REGIONS = [
    ("cervical", gettext_lazy("Cervical")),
    ("thoracic", gettext_lazy("Thoracic")),
    ("lumbar", gettext_lazy("Lumbar")),
    ("sacral", gettext_lazy("Sacral")),
    ("pelvic", gettext_lazy("Pelvic")),
    ("head", gettext_lazy("Head (cranial)")),
    ("upper_extremity", gettext_lazy("Upper extremity")),
    ("lower_extremity", gettext_lazy("Lower extremity")),
    ("rib_cage", gettext_lazy("Rib cage")),
]
ADJUSTMENT_REGION_LABELS = dict(ADJUSTMENT_REGIONS)


def region_labels(codes) -> list[str]:
    """The adjusted regions as a person reads them, in the active language ("Upper
    extremity" for ``upper_extremity``); a code no longer offered is shown as it is."""
    return [str(ADJUSTMENT_REGION_LABELS.get(code, code)) for code in codes]


SPINAL_REGIONS = frozenset({"cervical", "thoracic", "lumbar", "sacral", "pelvic"})


class VisitQuerySet(models.QuerySet):
    def with_findings(self) -> "VisitQuerySet":
        """Visits whose exam recorded findings that can be copied forward: the note's exam
        has a suggestion (``Visit.has_findings``). The one place that asks; the day list's
        "start from last findings" and ``copy_forward`` both choose their visits here."""
        return self.filter(has_findings=True)


class Visit(models.Model):
    """An encounter: a patient seen by a practitioner, for an appointment or as a walk-in.

    ``has_findings`` says the visit's note has an exam whose ``suggestion`` is not null, i.e.
    findings that a later visit can copy forward. It is kept on the visit so that "has the
    patient an earlier visit with findings?" is one probe of the partial index
    ``visit_patient_findings`` rather than a walk of every earlier visit through its note and
    exam. ``ExamRecord.save()`` and ``delete()`` are its only writers.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    practitioner = models.ForeignKey(
        "scheduling.Practitioner", on_delete=models.PROTECT, related_name="visits"
    )
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit",
    )
    started_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Derived from the exam (see the class docstring); written by ExamRecord only. The column
    # also defaults to false in the database, for rows written outside the ORM (bench/).
    has_findings = models.BooleanField(default=False, db_default=False, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # (patient, started_at, id) read backwards gives the timeline order, so a page
            # stops early.
            models.Index(fields=["patient", "started_at", "id"], name="visit_patient_started"),
            # Only the visits with findings: the day list's "earlier findings?" is one probe.
            models.Index(
                fields=["patient", "started_at"],
                condition=models.Q(has_findings=True),
                name="visit_patient_findings",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} on {self.started_at:%Y-%m-%d}"


class Note(models.Model):
    """The SOAP note of a visit. Drafts carry a version so a stale save is refused, not lost."""

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="note")
    version = models.PositiveIntegerField(default=1)
    # Subjective
    complaints = models.TextField(blank=True)
    pain_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # Objective (the SOT exam is in ExamRecord)
    objective = models.TextField(blank=True)
    # Assessment (the engine's suggestion and the practitioner's choice are in ExamRecord)
    assessment = models.TextField(blank=True)
    diagnosis_codes = models.JSONField(default=list, blank=True)
    # Plan
    visit_frequency = models.CharField(max_length=200, blank=True)
    next_visit = models.DateField(null=True, blank=True)
    home_advice = models.TextField(blank=True)
    # Copy-forward: findings copied from an earlier visit must be reviewed before signing.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copy_review_pending = models.BooleanField(default=False)

    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain_score__isnull=True) | models.Q(pain_score__lte=10),
                name="note_pain_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="note_signed_with_signer",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True) | models.Q(copy_review_pending=False),
                name="note_signed_only_after_copy_review",
            ),
        ]
        indexes = [models.Index(fields=["signed_at", "updated_at"], name="note_unsigned_todo")]

    def __str__(self) -> str:
        return f"Note of visit {self.visit_id} (v{self.version})"

    def save(self, *args, **kwargs):
        # The row as stored decides, not this object: a stale object must not slip past.
        if self.pk and Note.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise NoteSigned()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Note.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise NoteSigned()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class _PartOfNote(models.Model):
    """A row that belongs to a note and freezes with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._note_signed():
            raise NoteSigned()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._note_signed():
            raise NoteSigned()
        return super().delete(*args, **kwargs)

    def _note_signed(self) -> bool:
        return Note.objects.filter(pk=self.note_id, signed_at__isnull=False).exists()


class ExamRecord(_PartOfNote):
    """The SOT exam of a visit: the exam state, the engine's suggestion and the practitioner's call.

    ``state`` is the exam screen's JSON document: ``{"findings": <engine request body>,
    "recheck": {code: "cleared"|"present"}, "cmrt": [...], "cranial": [...]}``. ``suggestion`` is
    the engine's analysis with the clinic's protocol table in force
    (``exam.selectors.analyze_exam_findings``), computed when the draft was saved and again at
    signing, so it is what the visit page showed. The
    practitioner's confirmed or overridden category and side are separate fields. Saving or
    deleting the exam keeps its visit's ``has_findings`` in step with ``suggestion``; a bulk
    write of exams (``bulk_create``, ``update``) must set the visit's flag itself.
    """

    note = models.OneToOneField(Note, on_delete=models.PROTECT, related_name="exam")
    state = models.JSONField(default=dict, blank=True)
    suggestion = models.JSONField(null=True, blank=True)
    # Copied out of the suggestion and state for the chart timeline (one query, no JSON parsing).
    suggested_category = models.CharField(max_length=3, choices=CATEGORY_CHOICES, blank=True)
    suggested_side = models.CharField(max_length=10, choices=SIDE_CHOICES, blank=True)
    cleared_indicators = models.JSONField(default=list, blank=True)
    confirmed_category = models.CharField(max_length=3, choices=CATEGORY_CHOICES, blank=True)
    confirmed_side = models.CharField(max_length=10, choices=SIDE_CHOICES, blank=True)
    override_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Exam of note {self.note_id}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "suggestion" not in update_fields:
            return
        # A new exam without a suggestion leaves its visit as it was: without findings, since a
        # note has one exam and delete() clears the flag.
        if adding and self.suggestion is None:
            return
        self._set_visit_findings(self.suggestion is not None)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)  # note_id stays on the deleted object
        self._set_visit_findings(False)
        return result

    def _set_visit_findings(self, has_findings: bool) -> None:
        """Keep ``Visit.has_findings`` equal to "this exam has a suggestion", in one UPDATE
        that touches the row only when the flag changes, through the note's visit_id when the
        note is at hand. The visit's signed-note guard lets it through: the flag is not one of
        the columns that identify a visit (``triggers.VISIT_IDENTITY``)."""
        visits = Visit.objects.using(self._state.db)
        if ExamRecord.note.is_cached(self):
            visits = visits.filter(pk=self.note.visit_id)
        else:
            visits = visits.filter(note__pk=self.note_id)
        visits.exclude(has_findings=has_findings).update(has_findings=has_findings)

    @property
    def is_override(self) -> bool:
        return bool(self.confirmed_category) and (
            self.confirmed_category != self.suggested_category
            or (self.confirmed_side or "") != (self.suggested_side or "")
        )


class Procedures(_PartOfNote):
    """What was done: blocking, adjustments by region, cranial work and CMRT."""

    note = models.OneToOneField(Note, on_delete=models.PROTECT, related_name="procedures")
    blocking_category = models.CharField(max_length=3, choices=CATEGORY_CHOICES, blank=True)
    blocking_side = models.CharField(max_length=10, choices=BLOCK_SIDE_CHOICES, blank=True)
    blocking_placements = models.TextField(blank=True)
    adjustment_regions = models.JSONField(default=list, blank=True)
    cranial = models.TextField(blank=True)
    cmrt = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = gettext_lazy("procedures")

    def __str__(self) -> str:
        return f"Procedures of note {self.note_id}"

    @property
    def region_count(self) -> int:
        return len(self.adjustment_regions)

    @property
    def region_labels(self) -> list[str]:
        return region_labels(self.adjustment_regions)


class Addendum(models.Model):
    """A correction or later addition to a signed note, with its author and time. Never edited."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = gettext_lazy("addenda")

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise NoteSigned(_("An addendum cannot be changed; add another one."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NoteSigned(_("An addendum cannot be deleted; add another one."))


class ClinicDiagnosisCode(models.Model):
    """A code of the clinic's own list: offered by the note's code search with its title, in
    the code system it belongs to. sotclinic ships no full code list; a clinic adds the codes
    it uses (from its national release) here."""

    system = models.CharField(
        gettext_lazy("code system"),
        max_length=10,
        choices=[(ICD10, "ICD-10 (WHO)"), (ICD10CM, "ICD-10-CM")],
    )
    code = models.CharField(gettext_lazy("code"), max_length=10)
    title = models.CharField(gettext_lazy("title"), max_length=300)

    class Meta:
        verbose_name = gettext_lazy("clinic diagnosis code")
        verbose_name_plural = gettext_lazy("clinic diagnosis codes")
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="clinic_dx_code_unique"),
            models.CheckConstraint(
                condition=models.Q(system__in=[ICD10, ICD10CM]), name="clinic_dx_system_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .diagnosis_codes import EXAMPLES, SYSTEM_NAMES, is_well_formed, normalised

        self.code = normalised(self.code or "")
        if self.system in SYSTEM_NAMES and not is_well_formed(self.system, self.code):
            raise ValidationError(
                {
                    "code": _("Enter a code of %(system)s such as %(example)s.")
                    % {"system": SYSTEM_NAMES[self.system], "example": EXAMPLES[self.system]}
                }
            )
