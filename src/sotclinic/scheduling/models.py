import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sotclinic.append_only import AppendOnlyError, AppendOnlyModel
from sotclinic.clinic_locale import (
    CLOCK_12,
    CLOCK_24,
    DATE_ORDERS,
    DAY_MONTH_YEAR,
    ICD10,
    ICD10CM,
    MONTH_DAY_YEAR,
    YEAR_MONTH_DAY,
    ClinicLocale,
)
from sotclinic.patients.phones import validate_phone_region

from . import certifications, schedule_cache
from .identifiers import validate_npi, validate_tax_id

DATE_ORDER_CHOICES = [
    (DAY_MONTH_YEAR, _("Day, month, year (31/12/1980)")),
    (MONTH_DAY_YEAR, _("Month, day, year (12/31/1980)")),
    (YEAR_MONTH_DAY, _("Year, month, day (1980-12-31)")),
]


_UNITS = {"minutes": _("minutes"), "hours": _("hours"), "days": _("days")}


def bounded(low: int, high: int, unit: str) -> list:
    """Validators keeping a setting within what the schedule can compute with; the same
    range is a check constraint in the database, so no path (admin, shell, import) can
    store a value that would break every slot listing."""
    message = format_lazy(
        _("Give a number from {low} to {high} {unit}."), low=low, high=high, unit=_UNITS[unit]
    )
    return [MinValueValidator(low, message), MaxValueValidator(high, message)]


def in_range(field: str, low: int, high: int, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": low, f"{field}__lte": high}), name=name
    )


# The ranges: a visit of up to a working day, booking up to two years ahead, notice and
# cancellation windows up to thirty days, reminders up to a week before.
DURATION_MINUTES = (1, 480)
BUFFER_MINUTES = (0, 240)
SLOT_STEP_MINUTES = (5, 240)
MIN_NOTICE_MINUTES = (0, 43_200)
HORIZON_DAYS = (1, 730)
CANCELLATION_WINDOW_HOURS = (0, 720)
# A reminder goes out before the patient's self-service window closes, so its "cancel or
# move" link still works: reminder_hours is more than cancellation_window_hours, which the
# range allows for every window (up to 720 + 24 hours).
REMINDER_HOURS = (1, 744)
DEFAULT_REMINDER_LEAD_HOURS = 24


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (for example Europe/Berlin).")
            % {"value": repr(value)}
        )


class Location(models.Model):
    """A clinic location; its time zone decides how local hours map to UTC."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    address = models.TextField(blank=True, verbose_name=_("address"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], verbose_name=_("time zone")
    )

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Practitioner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practitioner",
        verbose_name=_("user"),
    )
    display_name = models.CharField(max_length=200, verbose_name=_("display name"))
    credentials = models.CharField(max_length=300, blank=True, verbose_name=_("credentials"))
    bio = models.TextField(blank=True, verbose_name=_("bio"))
    photo = models.ImageField(upload_to="practitioners/", blank=True, verbose_name=_("photo"))
    sot_certification = models.CharField(
        _("SOT certification (other)"),
        max_length=200,
        blank=True,
        help_text=_("Free text, shown only when no certifying body and level are chosen."),
    )
    certification_body = models.CharField(
        _("SOT certifying body"), max_length=30, blank=True, choices=certifications.body_choices()
    )
    certification_level = models.CharField(
        _("SOT certification level"),
        max_length=30,
        blank=True,
        choices=certifications.level_choices(),
        help_text=_("A level of the body chosen above; each body names its own levels."),
    )
    locations = models.ManyToManyField(
        Location, related_name="practitioners", verbose_name=_("locations")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    # Shown on superbills: the individual NPI in the US, a registration number elsewhere.
    npi = models.CharField(
        _("NPI (US)"),
        max_length=10,
        blank=True,
        validators=[validate_npi],
        help_text=_("The practitioner's 10-digit National Provider Identifier."),
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        blank=True,
        help_text=_("e.g. the GCC registration number; shown on superbills."),
    )
    # Secret for the practitioner's iCalendar feed; empty means no feed (revoked).
    calendar_feed_token = models.CharField(
        max_length=64, blank=True, default="", db_index=True, verbose_name=_("calendar feed token")
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=certifications.valid_pairs_condition(),
                name="practitioner_certification_level_of_its_body",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        problem = certifications.certification_problem(
            self.certification_body, self.certification_level
        )
        if problem:
            raise ValidationError({"certification_level": problem})

    @property
    def certification_display(self) -> str:
        """What the public pages show: the body and level, else the free text."""
        return (
            certifications.display(self.certification_body, self.certification_level)
            or self.sot_certification
        )

    @property
    def initials(self) -> str:
        words = [w for w in self.display_name.replace("Dr.", "").split() if w]
        return "".join(w[0] for w in words[:2]).upper()

    def new_calendar_feed_token(self) -> str:
        self.calendar_feed_token = secrets.token_urlsafe(32)
        return self.calendar_feed_token


class WeeklyHours(models.Model):
    """A recurring block of working time, in the location's local time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="weekly_hours",
        verbose_name=_("practitioner"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="weekly_hours", verbose_name=_("location")
    )
    weekday = models.IntegerField(choices=Weekday.choices, verbose_name=_("weekday"))
    start_time = models.TimeField(verbose_name=_("start time"))
    end_time = models.TimeField(verbose_name=_("end time"))

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="weekly_hours_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.get_weekday_display()} {self.start_time}-{self.end_time}"


class WeeklyBreak(models.Model):
    """A recurring pause inside working hours (lunch, admin), in the location's local time."""

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="breaks",
        verbose_name=_("practitioner"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="breaks", verbose_name=_("location")
    )
    weekday = models.IntegerField(choices=WeeklyHours.Weekday.choices, verbose_name=_("weekday"))
    start_time = models.TimeField(verbose_name=_("start time"))
    end_time = models.TimeField(verbose_name=_("end time"))

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="weekly_break_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} break {self.get_weekday_display()} {self.start_time}"


class AvailabilityException(models.Model):
    """A one-off change to the weekly pattern, in the location's local time.

    Days off and holidays remove time; extra hours add it. Without times the whole day is
    meant. A holiday without a practitioner closes the location for everyone; a day off
    without a location applies at every location.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        HOLIDAY = "holiday", _("Holiday (clinic closed)")
        EXTRA_HOURS = "extra_hours", _("Extra hours")

    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exceptions",
        verbose_name=_("practitioner"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exceptions",
        verbose_name=_("location"),
    )
    first_day = models.DateField(verbose_name=_("first day"))
    last_day = models.DateField(verbose_name=_("last day"))
    start_time = models.TimeField(null=True, blank=True, verbose_name=_("start time"))
    end_time = models.TimeField(null=True, blank=True, verbose_name=_("end time"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["first_day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="exception_last_day_not_before_first",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(start_time__isnull=True, end_time__isnull=True)
                    | models.Q(end_time__gt=models.F("start_time"))
                ),
                name="exception_times_both_or_none",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="extra_hours")
                | models.Q(
                    practitioner__isnull=False,
                    location__isnull=False,
                    start_time__isnull=False,
                ),
                name="extra_hours_need_who_where_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.first_day}–{self.last_day}"


def parse_lengths(value: str) -> list[int]:
    """The minutes listed in an appointment type's ``other_lengths`` ("20, 45"), in order;
    ValueError for anything that is not a whole number."""
    return sorted({int(part) for part in value.replace(";", ",").split(",") if part.strip()})


def validate_lengths(value: str) -> None:
    low, high = DURATION_MINUTES
    message = format_lazy(
        _("List lengths in minutes from {low} to {high}, separated by commas (e.g. 20, 45)."),
        low=low,
        high=high,
    )
    try:
        lengths = parse_lengths(value)
    except ValueError as exc:
        raise ValidationError(message) from exc
    if any(not low <= length <= high for length in lengths):
        raise ValidationError(message)


class AppointmentType(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("name"))
    duration_minutes = models.PositiveIntegerField(
        validators=bounded(*DURATION_MINUTES, "minutes"), verbose_name=_("duration minutes")
    )
    # Staff may give an appointment of this type one of these lengths instead of the usual
    # one (on the calendar: drag its bottom edge, or the move dialog's length); empty means
    # every appointment of the type takes `duration_minutes`.
    other_lengths = models.CharField(
        _("other lengths (minutes)"),
        max_length=100,
        blank=True,
        default="",
        validators=[validate_lengths],
        help_text=_(
            "Other lengths staff may give an appointment of this type, in minutes, separated "
            "by commas (e.g. 20, 45). Leave empty for a fixed length."
        ),
    )
    buffer_minutes = models.PositiveIntegerField(
        default=0, validators=bounded(*BUFFER_MINUTES, "minutes"), verbose_name=_("buffer minutes")
    )
    practitioners = models.ManyToManyField(
        Practitioner, related_name="appointment_types", verbose_name=_("practitioners")
    )
    new_patients_may_book_online = models.BooleanField(
        default=True, verbose_name=_("new patients may book online")
    )
    bookable_online = models.BooleanField(default=True, verbose_name=_("bookable online"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="appointment_type_positive"
            ),
            in_range("duration_minutes", *DURATION_MINUTES, "appointment_type_duration_range"),
            in_range("buffer_minutes", *BUFFER_MINUTES, "appointment_type_buffer_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def lengths(self) -> list[int]:
        """Every length an appointment of this type may have, in minutes, shortest first."""
        try:
            others = parse_lengths(self.other_lengths)
        except ValueError:
            others = []
        return sorted({self.duration_minutes, *others})

    @property
    def resizable(self) -> bool:
        return len(self.lengths) > 1


class AppointmentSeries(models.Model):
    """Appointments booked together in one step ("twice a week for six weeks"), so that one
    and all that follow it can be moved or cancelled together."""

    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")

    def __str__(self) -> str:
        return f"Series {self.pk}"


class CancellationReason(models.TextChoices):
    ILLNESS = "illness", _("Patient unwell")
    COMMITMENT = "commitment", _("Work or other commitment")
    TRAVEL = "travel", _("Travel, transport or weather")
    NOT_NEEDED = "not_needed", _("Patient no longer wants the visit")
    BOOKED_IN_ERROR = "error", _("Booked by mistake")
    CLINIC = "clinic", _("Clinic cancelled (practitioner unavailable)")
    OTHER = "other", _("Other (see note)")


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("practitioner"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("patient"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("location")
    )
    appointment_type = models.ForeignKey(
        AppointmentType,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("appointment type"),
    )
    start = models.DateTimeField(verbose_name=_("start"))  # UTC
    end = models.DateTimeField(verbose_name=_("end"))  # UTC
    # end plus the type's buffer: the practitioner is busy in [start, blocked_until). On
    # PostgreSQL an exclusion constraint on this range (migration 0003), on SQLite triggers
    # (migration 0004), forbid overlaps.
    blocked_until = models.DateTimeField(verbose_name=_("blocked until"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.BOOKED, verbose_name=_("status")
    )
    booked_online = models.BooleanField(default=False, verbose_name=_("booked online"))
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("series"),
    )
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("reminder sent at")
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    cancellation_reason = models.CharField(
        _("reason for cancelling"), max_length=20, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.CharField(_("note on the cancellation"), max_length=300, blank=True)
    # Set by services.cancel_appointment alone: cancelled by or for the patient less than the
    # clinic's cancellation window before the start.
    cancelled_late = models.BooleanField(_("cancelled late"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The iCalendar SEQUENCE of the invites sent for it: 0 when booked, one more with every
    # recorded change (services.record_change), so calendars apply the newest invite.
    sequence = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # Staff may book outside the practitioner's opening hours (or in a break) only by saying
    # so; who said so and when stays on the appointment.
    outside_hours_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked outside opening hours by"),
    )
    outside_hours_at = models.DateTimeField(
        _("booked outside opening hours at"), null=True, blank=True
    )

    # Every status but cancelled holds the time.
    ACTIVE_STATUSES = (Status.BOOKED, Status.ARRIVED, Status.COMPLETED, Status.NO_SHOW)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"]),
            models.Index(fields=["start"], name="appointment_start"),
            # A location's day (the day list): without it SQLite walks every appointment of the
            # location, which at a busy practice's size is most of the table.
            models.Index(fields=["location", "start"], name="appointment_location_start"),
            # A patient's next appointments (the patient list's column, the patient's page):
            # without it every past appointment of each patient is read and sorted.
            models.Index(fields=["patient", "start"], name="appointment_patient_start"),
            # The overlap check looks only at appointments still busy after the new start.
            models.Index(fields=["practitioner", "blocked_until"], name="appointment_busy_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gte=models.F("end")),
                name="appointment_blocked_after_end",
            ),
            models.CheckConstraint(
                condition=models.Q(outside_hours_by__isnull=True, outside_hours_at__isnull=True)
                | models.Q(outside_hours_by__isnull=False, outside_hours_at__isnull=False),
                name="appointment_outside_hours_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.practitioner} at {self.start:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        # The busy range always follows the times and the type's buffer, whoever saves.
        update_fields = kwargs.get("update_fields")
        if self.end is not None and (update_fields is None or "end" in update_fields):
            kind = self.appointment_type if self.appointment_type_id else None
            self.blocked_until = self.busy_until(self.end, kind)
        super().save(*args, **kwargs)

    @staticmethod
    def busy_until(end: dt.datetime, appointment_type: AppointmentType | None) -> dt.datetime:
        """When the practitioner is free again after an appointment of the type that ends at
        `end`: the end plus the type's buffer (clean-up time). The one place that adds the
        buffer, for stored appointments (`blocked_until`) and for times not yet booked."""
        buffer = appointment_type.buffer_minutes if appointment_type is not None else 0
        return end + dt.timedelta(minutes=buffer)

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class ClinicSettings(models.Model):
    """The clinic's public page text and its online booking rules; one row (pk=1)."""

    tagline = models.CharField(max_length=300, blank=True, verbose_name=_("tagline"))
    opening_hours = models.TextField(
        blank=True, help_text=_("As shown on the public page."), verbose_name=_("opening hours")
    )
    about_visit = models.TextField(
        _("What an SOT visit involves"),
        blank=True,
        help_text=_("Describe the visit plainly; do not promise a health result."),
    )
    slot_step_minutes = models.PositiveIntegerField(
        default=15,
        validators=bounded(*SLOT_STEP_MINUTES, "minutes"),
        verbose_name=_("slot step minutes"),
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=120,
        validators=bounded(*MIN_NOTICE_MINUTES, "minutes"),
        help_text=_("How soon before a visit patients may still book it online."),
        verbose_name=_("min notice minutes"),
    )
    horizon_days = models.PositiveIntegerField(
        default=60,
        validators=bounded(*HORIZON_DAYS, "days"),
        help_text=_("How far ahead patients may book online."),
        verbose_name=_("horizon days"),
    )
    cancellation_window_hours = models.PositiveIntegerField(
        default=24,
        validators=bounded(*CANCELLATION_WINDOW_HOURS, "hours"),
        help_text=_("Patients may cancel or move online up to this long before."),
        verbose_name=_("cancellation window hours"),
    )
    reminder_hours = models.PositiveIntegerField(
        default=48,
        validators=bounded(*REMINDER_HOURS, "hours"),
        help_text=_(
            "Reminders go out this many hours before a visit; more than the cancellation "
            "window, so that patients can still cancel or move online."
        ),
        verbose_name=_("reminder hours"),
    )
    # Shown to a patient whose intake raises an urgent red flag, next to the clinic's phone.
    emergency_number = models.CharField(
        _("Emergency number"),
        max_length=4,
        default="112",
        validators=[
            RegexValidator(
                r"^[0-9]{2,4}$",
                _(
                    "Enter the country's emergency telephone number: 2 to 4 digits, e.g. 999, "
                    "112 or 911."
                ),
            )
        ],
        help_text=_(
            "The emergency services number patients in your country call, "
            "e.g. 999 (UK), 112 (EU), 911 (US and Canada), 000 (Australia)."
        ),
    )
    # The clinic's locale (see sotclinic.clinic_locale): the language of its pages and
    # messages, how dates and times are written, and how typed dates of birth are read.
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en-gb",
        db_default="en-gb",
        help_text=_("Of staff pages, and of patient pages and messages unless a patient chooses."),
        verbose_name=_("language"),
    )
    time_format = models.CharField(
        _("clock"),
        max_length=3,
        choices=[(CLOCK_24, _("24-hour (14:30)")), (CLOCK_12, _("12-hour (2:30 PM)"))],
        default=CLOCK_24,
        db_default=CLOCK_24,
    )
    date_order = models.CharField(
        _("date order"),
        max_length=3,
        choices=DATE_ORDER_CHOICES,
        default=DAY_MONTH_YEAR,
        db_default=DAY_MONTH_YEAR,
        help_text=_("How dates are shown."),
    )
    first_day_of_week = models.PositiveSmallIntegerField(
        choices=[(1, _("Monday")), (0, _("Sunday")), (6, _("Saturday"))],
        default=1,
        db_default=1,
        verbose_name=_("first day of week"),
    )
    dob_order = models.CharField(
        _("date-of-birth entry order"),
        max_length=3,
        choices=DATE_ORDER_CHOICES,
        default=DAY_MONTH_YEAR,
        db_default=DAY_MONTH_YEAR,
        help_text=_("How a typed date of birth such as 03/04/1985 is read."),
    )
    currency = models.CharField(
        max_length=3,
        default="GBP",
        db_default="GBP",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Enter an ISO 4217 code such as GBP, EUR or USD."))
        ],
        help_text=_("ISO 4217 code, for fees and invoices."),
        verbose_name=_("currency"),
    )
    phone_region = models.CharField(
        max_length=2,
        default="GB",
        db_default="GB",
        validators=[
            RegexValidator(r"^[A-Z]{2}$", _("Enter an ISO 3166 country code such as GB.")),
            validate_phone_region,
        ],
        help_text=_(
            "ISO 3166 country code; phone numbers without a +country prefix are read "
            "as numbers of this country."
        ),
        verbose_name=_("phone region"),
    )
    # Defaults follow the default phone region (GB); a clinic whose phone region is the US gets
    # ICD-10-CM and the US billing codes when it saves its locale (ClinicLocaleForm).
    diagnosis_codes = models.CharField(
        _("diagnosis code system"),
        max_length=10,
        choices=[
            (ICD10, _("ICD-10 (WHO; outside the United States)")),
            (ICD10CM, _("ICD-10-CM (United States)")),
        ],
        default=ICD10,
        db_default=ICD10,
        help_text=_("Stored with each diagnosis code of a note."),
    )
    us_billing_codes = models.BooleanField(
        _("show US billing codes (CPT/HCPCS)"),
        default=False,
        db_default=False,
    )
    # The practice as insurers know it, printed on superbills (sotclinic.billing.superbill).
    billing_name = models.CharField(
        _("practice name on bills"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the first location's name."),
    )
    npi = models.CharField(
        _("practice NPI (US)"),
        max_length=10,
        blank=True,
        validators=[validate_npi],
        help_text=_("The practice's (type 2) 10-digit National Provider Identifier."),
    )
    tax_id = models.CharField(
        _("tax ID (EIN, US)"),
        max_length=10,
        blank=True,
        validators=[validate_tax_id],
        help_text=_("Written 12-3456789."),
    )
    registration_number = models.CharField(
        _("practice registration number"),
        max_length=40,
        blank=True,
        help_text=_("Outside the US: the registration number insurers ask for."),
    )

    class Meta:
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_step_minutes__gt=0), name="slot_step_positive"
            ),
            in_range("slot_step_minutes", *SLOT_STEP_MINUTES, "slot_step_range"),
            in_range("min_notice_minutes", *MIN_NOTICE_MINUTES, "min_notice_range"),
            in_range("horizon_days", *HORIZON_DAYS, "horizon_days_range"),
            in_range(
                "cancellation_window_hours", *CANCELLATION_WINDOW_HOURS, "cancellation_window_range"
            ),
            in_range("reminder_hours", *REMINDER_HOURS, "reminder_hours_range"),
            models.CheckConstraint(
                condition=models.Q(reminder_hours__gt=models.F("cancellation_window_hours")),
                name="reminder_before_cancellation_window",
                violation_error_message=_(
                    "Send reminders earlier than the cancellation window closes (more hours "
                    "before the visit), so that the reminder's link to cancel or move still works."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(date_order__in=DATE_ORDERS)
                & models.Q(dob_order__in=DATE_ORDERS),
                name="clinic_date_orders_known",
            ),
            models.CheckConstraint(
                condition=models.Q(time_format__in=[CLOCK_24, CLOCK_12]), name="clinic_clock_known"
            ),
            models.CheckConstraint(
                condition=models.Q(diagnosis_codes__in=[ICD10, ICD10CM]),
                name="clinic_code_system_known",
            ),
        ]

    def __str__(self) -> str:
        return "Clinic settings"

    def locale(self) -> ClinicLocale:
        return ClinicLocale(
            language=self.language,
            time_format=self.time_format,
            date_order=self.date_order,
            first_day_of_week=self.first_day_of_week,
            dob_order=self.dob_order,
            currency=self.currency,
            phone_region=self.phone_region,
            diagnosis_codes=self.diagnosis_codes,
            us_billing_codes=self.us_billing_codes,
            # Read with the row by `with_clock` (a row read otherwise has none).
            time_zone=getattr(self, "clinic_time_zone", None) or "",
        )

    @classmethod
    def with_clock(cls) -> "models.QuerySet[ClinicSettings]":
        """The rows with ``clinic_time_zone``, the first location's time zone (the clinic's
        clock, `selectors.clinic_zone`), read in the same query."""
        first_zone = Location.objects.order_by("pk").values("time_zone")[:1]
        return cls.objects.annotate(clinic_time_zone=models.Subquery(first_zone))

    @classmethod
    def load(cls) -> "ClinicSettings":
        """The one row (`with_clock`), created on first use. Outside transactions it is
        served from the cache under the rules version, which every save of this row or of a
        location bumps (and bookings do not)."""
        return schedule_cache.cached(
            lambda: cls.with_clock().filter(pk=1).first() or cls.objects.get_or_create(pk=1)[0],
            "clinic-settings",
            schedule_cache.rules_version,
        )


class FaqEntry(models.Model):
    """A question and answer on the public page."""

    question = models.CharField(max_length=300, verbose_name=_("question"))
    answer = models.TextField(verbose_name=_("answer"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question


class ChangeLogImmutable(AppendOnlyError):
    """Raised on any attempt to change or delete a row of an appointment's history."""

    message = "An appointment's history is append-only."


class AppointmentChange(AppendOnlyModel):
    """One change of an appointment: who made it, when, through which door, and what the
    changed fields were before and after. Written by the scheduling services in the same
    transaction as the change; rows are only ever inserted (the database refuses the rest)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online booking page")
        PATIENT_LINK = "patient_link", _("Patient's e-mailed link")
        STAFF = "staff", _("Staff pages")
        ADMIN = "admin", _("Back office")
        API = "api", _("Booking API")
        SYSTEM = "system", _("System")

    class Action(models.TextChoices):
        BOOKED = "booked", _("Booked")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        STATUS_CHANGED = "status_changed", _("Status changed")
        EDITED = "edited", _("Edited")

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="changes", verbose_name=_("appointment")
    )
    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    # Who, as it read at the time: the user's name, or "patient via link", "online booking",
    # "system" when no staff user acted.
    actor = models.CharField(max_length=150, verbose_name=_("actor"))
    channel = models.CharField(max_length=20, choices=Channel.choices, verbose_name=_("channel"))
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name=_("action"))
    # The fields that changed, before and after (JSON-ready values; see services.snapshot).
    old = models.JSONField(default=dict, blank=True, verbose_name=_("old"))
    new = models.JSONField(default=dict, blank=True, verbose_name=_("new"))

    Immutable = ChangeLogImmutable

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["appointment", "occurred_at"], name="appointment_change_time")
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"


WEEKDAY_DIGITS = "0123456"


def validate_weekdays(value: str) -> None:
    if not value or any(c not in WEEKDAY_DIGITS for c in value) or len(set(value)) != len(value):
        raise ValidationError(_("Tick at least one day of the week."))


class WaitlistEntry(models.Model):
    """A patient's wish for an earlier or other time: which type, with whom (or anyone), on
    which days of the week between which local times, optionally between two dates. Open
    until the patient books a time that fits it, or staff remove it. When a fitting time
    frees up, the waitlist services offer it to the patients waiting longest."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online booking page")
        PORTAL = "portal", _("Patient portal")
        STAFF = "staff", _("Staff pages")

    class Closed(models.TextChoices):
        BOOKED = "booked", _("Booked")
        REMOVED = "removed", _("Removed")

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("patient"),
    )
    appointment_type = models.ForeignKey(
        AppointmentType,
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("appointment type"),
    )
    # Empty: any practitioner who offers the type.
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        verbose_name=_("practitioner"),
    )
    # The local weekdays that suit, as digits (0 Monday … 6 Sunday), e.g. "024".
    weekdays = models.CharField(_("days that suit"), max_length=7, validators=[validate_weekdays])
    # The visit must start at or after `earliest` and end by `latest`, in the location's time.
    earliest = models.TimeField(_("from"))
    latest = models.TimeField(_("until"))
    first_day = models.DateField(_("not before"), null=True, blank=True)
    last_day = models.DateField(_("not after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("added through"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_as = models.CharField(_("closed as"), max_length=10, choices=Closed.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    booked_appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked appointment"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [models.Index(fields=["closed_at", "created_at"], name="waitlist_open")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest__gt=models.F("earliest")),
                name="waitlist_latest_after_earliest",
            ),
            models.CheckConstraint(
                condition=models.Q(first_day__isnull=True)
                | models.Q(last_day__isnull=True)
                | models.Q(last_day__gte=models.F("first_day")),
                name="waitlist_last_day_not_before_first",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, closed_as="")
                | models.Q(closed_at__isnull=False, closed_as__in=["booked", "removed"]),
                name="waitlist_closed_with_how",
            ),
            models.CheckConstraint(condition=~models.Q(weekdays=""), name="waitlist_some_weekday"),
        ]

    def __str__(self) -> str:
        return f"Waitlist {self.pk}: patient {self.patient_id}, type {self.appointment_type_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def weekday_list(self) -> list[int]:
        return sorted(int(c) for c in self.weekdays)


class WaitlistOffer(models.Model):
    """One freed time offered to one waitlist entry; never offered twice (the unique
    constraint), whoever frees the same time again."""

    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.CASCADE, related_name="offers", verbose_name=_("entry")
    )
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="+", verbose_name=_("practitioner")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="+", verbose_name=_("location")
    )
    start = models.DateTimeField(_("start"))  # UTC
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "practitioner", "start"], name="waitlist_offer_once"
            )
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of {self.start:%Y-%m-%d %H:%M} UTC"
