"""Intakes, questionnaire responses, red-flag findings and follow-up requests.

An intake is filled in steps; each step's answers are saved as one section (a JSON object) so a
patient can stop and come back. Only ``complete_intake`` turns a draft into a complete intake,
after every section is present and valid; nothing counts a draft as complete.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Intake(models.Model):
    """One patient's intake: demographics, history, complaints, red-flag screen, consent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETE = "complete", _("Complete")

    class Channel(models.TextChoices):
        LINK = "link", _("Signed link")
        KIOSK = "kiosk", _("Tablet in the clinic")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="intakes"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intakes",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.LINK)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Part of every signed link; replacing it revokes the links already sent.
    nonce = models.CharField(max_length=40, default=new_nonce)
    complaints = models.JSONField(default=list, blank=True)
    # Sections, one per step, saved as the patient goes.
    demographics = models.JSONField(default=dict, blank=True)
    health_history = models.JSONField(default=dict, blank=True)
    complaint_details = models.JSONField(default=dict, blank=True)
    red_flag_answers = models.JSONField(default=dict, blank=True)
    questionnaire_answers = models.JSONField(default=dict, blank=True)
    consent_to_care = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    screen_result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(completed_at__isnull=False, consent_to_care=True),
                name="intake_complete_needs_time_and_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.get_status_display()})"

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE


class QuestionnaireResponse(models.Model):
    """One completed questionnaire, with the instrument version it answered and its score."""

    class Context(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOW_UP = "follow_up", _("Follow-up")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    score = models.FloatField()
    score_detail = models.JSONField(default=dict, blank=True)
    administered_at = models.DateTimeField(default=timezone.now)
    context = models.CharField(max_length=10, choices=Context.choices)
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    follow_up = models.ForeignKey(
        "FollowUpRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    visit = models.ForeignKey(
        "charting.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The time frame the question asked about ("24h", "7d"); part of what was answered, so
    # scores of different periods are never read as one series. Empty: the instrument's
    # wording has no selectable period.
    recall_period = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["administered_at", "id"]
        indexes = [
            models.Index(fields=["patient", "instrument_id", "administered_at"], name="qr_trend"),
            # The outcome dashboard's latest follow-up per patient, instrument and period:
            # ranked in index order without touching the table (PostgreSQL), or the first
            # entry of its series found by one seek (SQLite). The score is a key column, not
            # an INCLUDE, so that SQLite builds the same index.
            models.Index(
                fields=[
                    "patient",
                    "instrument_id",
                    "recall_period",
                    "context",
                    "-administered_at",
                    "-id",
                    "score",
                ],
                name="qr_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.instrument_version} {self.context}"

    @property
    def metric_rows(self) -> list[tuple[str, float]]:
        """The further values stored with the score (a sleep diary night), labelled for staff."""
        from .instruments.scoring import METRIC_LABELS

        metrics = (self.score_detail or {}).get("metrics") or {}
        return [(METRIC_LABELS.get(name, name), value) for name, value in metrics.items()]

    @property
    def recall_label(self) -> str:
        """What the question asked about, for staff ("last week"); "" for fixed wording."""
        if not self.recall_period:
            return ""
        from .instruments import InstrumentError, get_instrument

        try:
            instrument = get_instrument(self.instrument_id, self.instrument_version)
            return instrument.recall_period(self.recall_period).label
        except InstrumentError:
            return self.recall_period


class RedFlagFinding(models.Model):
    """A positive red-flag rule for a patient; open until a practitioner records the handling."""

    class Handling(models.TextChoices):
        REFERRED = "referred", _("Referred for medical assessment")
        RULED_OUT = "ruled_out", _("Ruled out after assessment")
        OTHER = "other", _("Other (explain)")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="red_flag_findings"
    )
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="red_flags"
    )
    rule_id = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=20)
    severity_label = models.CharField(max_length=200, blank=True)
    action = models.TextField(blank=True)
    explanation = models.TextField()
    source = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handling = models.CharField(max_length=20, choices=Handling.choices, blank=True)
    handling_note = models.TextField(blank=True)

    class Meta:
        ordering = ["handled_at", "-raised_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handled_at__isnull=True, handling="")
                | (
                    models.Q(handled_at__isnull=False, handled_by__isnull=False)
                    & ~models.Q(handling="")
                ),
                name="red_flag_handled_fully_or_not_at_all",
            ),
            models.CheckConstraint(
                condition=~models.Q(handling__in=["ruled_out", "other"], handling_note=""),
                name="red_flag_ruled_out_needs_reason",
            ),
        ]
        indexes = [
            # The staff home's open flags, oldest first, without reading the handled ones of
            # every year before.
            models.Index(
                fields=["raised_at", "id"],
                condition=models.Q(handled_at__isnull=True),
                name="red_flag_open_raised",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({'handled' if self.handled_at else 'open'})"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None


class QuestionnaireSettings(models.Model):
    """The clinic's choices for how questionnaires are asked; one row (pk=1)."""

    class RecallPeriod(models.TextChoices):
        LAST_24_HOURS = "24h", _("Last 24 hours")
        LAST_WEEK = "7d", _("Last week (the low back pain core outcome set's choice)")

    # 24 hours is what earlier versions always asked; keeping it as the default leaves the
    # series of patients already in care unbroken when a clinic upgrades.
    nprs_recall_period = models.CharField(
        _("Pain scale (NPRS) recall period"),
        max_length=10,
        choices=RecallPeriod.choices,
        default=RecallPeriod.LAST_24_HOURS,
        help_text=_(
            "The time frame the 0-10 pain question asks about. Each answer keeps the "
            "period it was asked with, and charts show each period as its own series."
        ),
    )

    class Meta:
        verbose_name = _("questionnaire settings")
        verbose_name_plural = _("questionnaire settings")

    def __str__(self) -> str:
        return "Questionnaire settings"

    @classmethod
    def load(cls) -> "QuestionnaireSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class FollowUpSchedule(models.Model):
    """How often follow-up questionnaires go out; one row (pk=1)."""

    class Unit(models.TextChoices):
        VISITS = "visits", _("Visits")
        WEEKS = "weeks", _("Weeks")

    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    every = models.PositiveIntegerField(default=4, verbose_name=_("every"))
    unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.WEEKS, verbose_name=_("unit")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(every__gt=0), name="follow_up_every_positive")
        ]

    def __str__(self) -> str:
        return f"Every {self.every} {self.unit}"

    @classmethod
    def load(cls) -> "FollowUpSchedule":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class FollowUpRequest(models.Model):
    """The n-th follow-up questionnaire sent to a patient after their baseline intake."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_up_requests"
    )
    baseline_intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    nonce = models.CharField(max_length=40, default=new_nonce)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "sequence"]
        constraints = [
            # The command may run twice; the second run finds the row and sends nothing.
            models.UniqueConstraint(fields=["patient", "sequence"], name="one_follow_up_per_step")
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.sequence} for patient {self.patient_id}"


class PrecautionRecord(models.Model):
    """A precaution recorded for a patient, from the intake or updated by staff at a visit.

    Rows are added, never changed: the latest row per code is the one in force, so a
    pregnancy's weeks can move on and the earlier answers stay readable.
    """

    class Origin(models.TextChoices):
        INTAKE = "intake", _("Intake")
        VISIT = "visit", _("Recorded at a visit")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="precautions"
    )
    code = models.CharField(max_length=40)
    present = models.BooleanField(default=True)
    weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="precautions"
    )
    visit = models.ForeignKey(
        "charting.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "code", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weeks__isnull=True) | models.Q(weeks__gte=1, weeks__lte=42),
                name="precaution_weeks_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} for patient {self.patient_id}"


class PrecautionAcknowledgement(models.Model):
    """A practitioner saw a precaution at a visit; one per precaution record per visit."""

    precaution = models.ForeignKey(
        PrecautionRecord, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    visit = models.ForeignKey("charting.Visit", on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["precaution", "visit"], name="one_acknowledgement_per_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.precaution} acknowledged at visit {self.visit_id}"
