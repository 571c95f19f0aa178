"""Care plans: the clinic's own plan templates, each patient's prescribed plan with its planned
visits, goals on the patient's outcome questionnaires and fee estimate, and the patient's
signature accepting it (append-only, with the signed document's hash and PDF).

A plan's phases are a list of ``{"visits_per_week": int, "weeks": int}``; its planned visits
are rows (sequence 1..N), each linked to the appointment booked for it. The rules that create
and change plans live in ``billing.care_plans``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from sotclinic.append_only import AppendOnlyError
from sotclinic.signatures import SignatureRecord

from .fees import CURRENCY_VALIDATOR

__all__ = [
    "CarePlanTemplate",
    "CarePlan",
    "CarePlanGoal",
    "PlannedVisit",
    "CarePlanSignature",
    "SignatureImmutable",
    "validate_phases",
    "validate_reexam_visits",
    "MAX_PLAN_VISITS",
    "phase_phrase",
]

MAX_PLAN_VISITS = 120
MAX_PHASES = 6
MAX_VISITS_PER_WEEK = 7
MAX_PHASE_WEEKS = 26


def validate_phases(value) -> None:
    """A list of one to six phases, each ``{"visits_per_week": 1..7, "weeks": 1..26}``, and at
    most MAX_PLAN_VISITS visits in all."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_PHASES:
        raise ValidationError(_("A plan has one to six phases."))
    total = 0
    for phase in value:
        if not isinstance(phase, dict) or set(phase) != {"visits_per_week", "weeks"}:
            raise ValidationError(_("Each phase gives visits per week and a number of weeks."))
        per_week, weeks = phase["visits_per_week"], phase["weeks"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (per_week, weeks)):
            raise ValidationError(_("Visits per week and weeks are whole numbers."))
        if not 1 <= per_week <= MAX_VISITS_PER_WEEK:
            raise ValidationError(_("Visits per week must be between 1 and 7."))
        if not 1 <= weeks <= MAX_PHASE_WEEKS:
            raise ValidationError(_("A phase lasts between 1 and 26 weeks."))
        total += per_week * weeks
    if total > MAX_PLAN_VISITS:
        raise ValidationError(_("A plan has at most %(max)s visits.") % {"max": MAX_PLAN_VISITS})


def phase_phrase(phase: dict) -> str:
    """A phase as a person reads it, in the active language with its plural forms:
    "1 visit a week for 1 week", "3 visits a week for 2 weeks"."""
    per_week, weeks = phase["visits_per_week"], phase["weeks"]
    visits = ngettext("%(count)s visit a week", "%(count)s visits a week", per_week) % {
        "count": per_week
    }
    span = ngettext("%(count)s week", "%(count)s weeks", weeks) % {"count": weeks}
    return pgettext("care plan phase", "%(visits)s for %(weeks)s") % {
        "visits": visits,
        "weeks": span,
    }


def validate_reexam_visits(value) -> None:
    """Re-exam visit numbers: distinct whole numbers from 1."""
    if not isinstance(value, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value
    ):
        raise ValidationError(_("Re-exam visits are visit numbers from 1."))
    if len(set(value)) != len(value):
        raise ValidationError(_("Each re-exam visit number once."))


class CarePlanTemplate(models.Model):
    """A schedule the clinic uses often, written by its practitioners: phases, re-exam visits,
    the appointment type to book and the services each visit is estimated at."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    phases = models.JSONField(_("phases"), default=list, validators=[validate_phases])
    reexam_visits = models.JSONField(
        _("re-exam at visits"), default=list, blank=True, validators=[validate_reexam_visits]
    )
    appointment_type = models.ForeignKey(
        "scheduling.AppointmentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment type"),
    )
    services = models.ManyToManyField(
        "billing.Service", blank=True, related_name="+", verbose_name=_("services per visit")
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("care plan template")
        verbose_name_plural = _("care plan templates")

    def __str__(self) -> str:
        return self.name

    @property
    def visit_count(self) -> int:
        return sum(p["visits_per_week"] * p["weeks"] for p in self.phases)


class CarePlan(models.Model):
    """One patient's plan as a practitioner prescribed it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed to the patient")
        ACCEPTED = "accepted", _("Accepted")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # Plans whose visits are under way or ahead (the adherence worklist reads these).
    FOLLOWED_STATUSES = (Status.ACCEPTED, Status.ACTIVE)

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="care_plans"
    )
    template = models.ForeignKey(
        CarePlanTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("template"),
    )
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes for the patient"), blank=True)
    prescribed_by = models.ForeignKey(
        "scheduling.Practitioner",
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name=_("practitioner"),
    )
    location = models.ForeignKey(
        "scheduling.Location",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
    )
    appointment_type = models.ForeignKey(
        "scheduling.AppointmentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appointment type"),
    )
    phases = models.JSONField(_("phases"), validators=[validate_phases])
    reexam_visits = models.JSONField(
        _("re-exam at visits"), default=list, blank=True, validators=[validate_reexam_visits]
    )
    start_date = models.DateField(_("first visit on or after"))
    planned_visits = models.PositiveSmallIntegerField(
        _("planned visits"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PLAN_VISITS)]
    )
    services = models.ManyToManyField(
        "billing.Service", blank=True, related_name="+", verbose_name=_("services per visit")
    )
    # The estimate as prescribed (minor units): planned visits × the visit fee then.
    visit_fee = models.BigIntegerField(_("fee per visit (minor units)"), default=0)
    fee_estimate = models.BigIntegerField(_("fee estimate (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        indexes = [models.Index(fields=["status", "patient"], name="careplan_status_patient")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee_estimate__gte=0, visit_fee__gte=0),
                name="careplan_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_visits__gte=1), name="careplan_has_visits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phase_phrases(self) -> list[str]:
        """Each phase as a person reads it ("2 visits a week for 3 weeks")."""
        return [phase_phrase(phase) for phase in self.phases]


class CarePlanGoal(models.Model):
    """A goal on one of the patient's outcome questionnaires (an instrument the intake ships):
    the latest score when the goal was set, and the score the practitioner aims for."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    instrument_id = models.CharField(_("questionnaire"), max_length=40)
    baseline = models.FloatField(_("baseline score"), null=True, blank=True)
    baseline_at = models.DateTimeField(_("baseline taken"), null=True, blank=True)
    target = models.DecimalField(_("target score"), max_digits=7, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("care plan goal")
        constraints = [
            models.UniqueConstraint(fields=["plan", "instrument_id"], name="goal_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} → {self.target}"


class PlannedVisit(models.Model):
    """Visit number ``sequence`` of a plan, the week it is expected in, and the appointment
    booked for it (empty until booked; a cancelled, not late, appointment frees it again).
    The plan's own visits are numbered 1..planned_visits; a replacement for a missed visit
    is numbered after them and names the visit it replaces."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="visits")
    sequence = models.PositiveSmallIntegerField(_("visit number"))
    is_reexam = models.BooleanField(_("re-exam"), default=False)
    expected_on = models.DateField(_("expected on"))
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_visits",
    )
    # A visit booked in place of a missed one (no-show or cancelled late): it counts toward
    # the plan, while the missed visit stays missed.
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement",
        verbose_name=_("replaces visit"),
    )

    class Meta:
        ordering = ["plan", "sequence"]
        verbose_name = _("planned visit")
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="planned_visit_once"),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False),
                name="planned_visit_one_appointment",
            ),
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="planned_visit_sequence_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.sequence}"


class SignatureImmutable(AppendOnlyError):
    message = "A signed care plan cannot change; its signature is kept as it was given."


class CarePlanSignature(SignatureRecord):
    """The patient's acceptance of a plan: the exact text shown and its SHA-256, the typed name,
    the drawn signature (SVG of paths), when and from where, and the signed PDF."""

    Immutable = SignatureImmutable

    plan = models.OneToOneField(CarePlan, on_delete=models.PROTECT, related_name="signature")

    class Meta:
        verbose_name = _("care plan signature")
