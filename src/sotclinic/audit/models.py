"""The append-only access log: who viewed or changed which patient's chart, when, from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.append_only import AppendOnlyError, AppendOnlyModel


class AuditImmutable(AppendOnlyError):
    """Raised on any attempt to change or delete an audit row."""

    message = "The audit log is append-only; rows cannot change."


class Action(models.TextChoices):
    """Every action the access log records. ``record_access`` takes members only, never a
    string, so each name is declared once, here, with its label."""

    VIEW_CHART = "view_chart", _("Viewed the chart")
    VIEW_VISIT = "view_visit", _("Viewed a visit")
    START_VISIT = "start_visit", _("Started a visit")
    SAVE_DRAFT = "save_draft", _("Saved a draft note")
    SAVE_CONFLICT = "save_conflict", _("Save refused: newer version")
    COPY_FORWARD = "copy_forward", _("Copied findings forward")
    SIGN_NOTE = "sign_note", _("Signed a note")
    ADD_ADDENDUM = "add_addendum", _("Added an addendum")
    EDIT_REFUSED = "edit_refused", _("Edit of a signed note refused")
    VIEW_AUDIT = "view_audit", _("Viewed the access log")
    VIEW_PATIENT = "view_patient", _("Viewed the patient record")
    REGISTER_PATIENT = "register_patient", _("Registered the patient")
    EDIT_PATIENT = "edit_patient", _("Edited the patient's details")
    VIEW_INTAKE_STEP = "view_intake_step", _("Viewed an intake step")
    INTAKE_STEP = "intake_step", _("Saved an intake step")
    INTAKE_COMPLETE = "intake_complete", _("Sent the intake to the clinic")
    INTAKE_KIOSK_START = "intake_kiosk_start", _("Opened the intake on the clinic's tablet")
    INTAKE_KIOSK_END = "intake_kiosk_end", _("Ended the intake on the clinic's tablet")
    FOLLOW_UP_ANSWERED = "follow_up_answered", _("Answered follow-up questionnaires")
    VIEW_RED_FLAGS = "view_red_flags", _("Viewed the red flags")
    HANDLE_RED_FLAG = "handle_red_flag", _("Recorded how a red flag was handled")
    VIEW_INTAKES = "view_intakes", _("Viewed the intakes")
    VIEW_APPOINTMENT = "view_appointment", _("Viewed an appointment")
    VIEW_PRECAUTIONS = "view_precautions", _("Viewed precautions")
    ACKNOWLEDGE_PRECAUTION = "acknowledge_precaution", _("Acknowledged a precaution")
    RECORD_PRECAUTION = "record_precaution", _("Recorded a precaution")
    VIEW_OUTCOMES = "view_outcomes", _("Viewed outcome scores")
    VIEW_OUTCOMES_DASHBOARD = "view_outcomes_dashboard", _("Viewed the outcomes dashboard")
    EXPORT_OUTCOMES = "export_outcomes", _("Exported outcome scores")
    VIEW_ATTENDANCE = "view_attendance", _("Viewed the attendance report")
    VIEW_CALENDAR = "view_calendar", _("Viewed the calendar")
    VIEW_SERIES = "view_series", _("Viewed a series of appointments")
    VIEW_OUTBOX = "view_outbox", _("Viewed the outgoing messages")
    VIEW_ACCOUNT = "view_account", _("Viewed the account")
    POST_TO_ACCOUNT = "post_to_account", _("Posted to the account")
    VIEW_BILLING_DOCUMENT = "view_billing_document", _("Opened an invoice, receipt or statement")
    EMAIL_BILLING_DOCUMENT = (
        "email_billing_document",
        _("E-mailed an invoice, receipt or statement"),
    )
    VIEW_WAITLIST = "view_waitlist", _("Viewed the waitlist")
    ADD_TO_WAITLIST = "add_to_waitlist", _("Added to the waitlist")
    REMOVE_FROM_WAITLIST = "remove_from_waitlist", _("Removed from the waitlist")
    VIEW_WORKLIST = "view_worklist", _("Viewed the worklist")
    VIEW_PRACTICE_REPORT = "view_practice_report", _("Viewed a practice report")
    DOWNLOAD_SUPERBILL = "download_superbill", _("Downloaded a superbill")
    EMAIL_SUPERBILL = "email_superbill", _("E-mailed a superbill")
    VIEW_OWN_APPOINTMENTS = "view_own_appointments", _("Patient viewed own appointments")
    VIEW_CARE_PLAN = "view_care_plan", _("Viewed a care plan")
    PRESCRIBE_CARE_PLAN = "prescribe_care_plan", _("Prescribed a care plan")
    CHANGE_CARE_PLAN = "change_care_plan", _("Changed a care plan's status")
    CARE_PLAN_TABLET_START = "care_plan_tablet", _("Opened a care plan for signing on the tablet")
    SIGN_CARE_PLAN = "sign_care_plan", _("Patient signed a care plan")
    BOOK_CARE_PLAN = "book_care_plan", _("Booked a care plan's visits")
    VIEW_CARE_PLAN_WORKLIST = "view_care_plan_worklist", _("Viewed the care plan worklist")
    ADMIN_VIEW = "admin_view", _("Opened in the back office")
    ADMIN_ADD = "admin_add", _("Added in the back office")
    ADMIN_CHANGE = "admin_change", _("Changed in the back office")
    ADMIN_DELETE = "admin_delete", _("Deleted in the back office")
    VIEW_CHARGES = "view_charges", _("Viewed charges to review")
    CHANGE_CHARGES = "change_charges", _("Changed charges to review")
    POST_CHARGES = "post_charges", _("Posted charges")
    SELL_PACKAGE = "sell_package", _("Sold a package or membership")
    FHIR_READ = "fhir_read", _("Read through the FHIR API")
    IMPORT_RECORD = "import_record", _("Imported from another system")
    VIEW_IMPORT = "view_import", _("Viewed a file chosen for import")
    VIEW_DOCUMENTS = "view_documents", _("Viewed the documents")
    UPLOAD_DOCUMENT = "upload_document", _("Uploaded a document")
    DOWNLOAD_DOCUMENT = "download_document", _("Opened a document")
    REQUEST_DOCUMENT = "request_document", _("Asked the patient for a document")
    CONSENT_TABLET_START = "consent_tablet", _("Opened a consent for signing on the tablet")
    VIEW_CONSENT = "view_consent", _("Opened a consent")
    SIGN_CONSENT = "sign_consent", _("Patient signed a consent")
    VIEW_LETTER = "view_letter", _("Viewed a letter")
    WRITE_LETTER = "write_letter", _("Wrote a letter")
    SIGN_LETTER = "sign_letter", _("Signed a letter")
    ADD_LETTER_ADDENDUM = "add_letter_addendum", _("Added an addendum to a letter")
    DOWNLOAD_NOTE_PDF = "download_note_pdf", _("Downloaded a note as PDF")
    DOWNLOAD_RECORD = "download_record", _("Downloaded the whole record as PDF")


ACTION_LABELS = dict(Action.choices)


class AccessLog(AppendOnlyModel):
    """One view or change of a patient's chart. Rows are only ever inserted."""

    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    # The name as it was at the time, so the row reads the same if the account is renamed.
    username = models.CharField(max_length=150, blank=True, verbose_name=_("username"))
    # Empty for a view of figures across patients (a dashboard), which shows no one's chart.
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("patient"),
    )
    action = models.CharField(max_length=40, verbose_name=_("action"))
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("detail"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    # The OAuth application that read or wrote (its name and client id), for access through the
    # FHIR API; empty for the clinic's own pages.
    client = models.CharField(
        max_length=200, blank=True, default="", db_default="", verbose_name=_("client")
    )

    Immutable = AuditImmutable

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient", "-occurred_at"], name="audit_patient_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action.replace("_", " "))
