from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sotclinic.compiled_queries import CompiledQuery

from .phones import display_phone, is_checked
from .search import digits, fold
from .validators import validate_nhs_number


def email_key(email: str) -> str:
    """An e-mail address as patients are matched by it: trimmed, in lower case."""
    return email.strip().lower()


class PatientQuerySet(models.QuerySet):
    def with_email(self, email: str, date_of_birth):
        """Patients with this e-mail (any case) and date of birth, found through the
        ``patient_email_dob`` index on ``Lower(email), date_of_birth`` (``iexact`` would not
        use it: SQLite reads it as LIKE, PostgreSQL as UPPER)."""
        return self.with_email_key(email_key(email), date_of_birth)

    def with_email_key(self, key: str, date_of_birth):
        """`with_email` of an address already made its `email_key`."""
        return self.with_address_key(key).filter(date_of_birth=date_of_birth)

    def with_address_key(self, key: str):
        """Patients whose e-mail, made its `email_key`, is ``key``, whatever their date of
        birth (the portal sends a log-in link to an address)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=key)

    def first_with_email(self, email: str, date_of_birth) -> "Patient | None":
        """The first (by id) of `with_email`, from a query compiled once per process: a
        booking asks inside its write transaction, where putting the query together cost ten
        times more than running it."""
        found = _FIRST_WITH_EMAIL.objects(email_key(email), date_of_birth)
        return found[0] if found else None

    def bulk_create(self, objs, *args, **kwargs):
        """Rows written in bulk get their search columns too (``save`` is not called)."""
        objs = list(objs)
        for patient in objs:
            patient.fill_search_columns()
        return super().bulk_create(objs, *args, **kwargs)


SEARCH_COLUMNS = ("search_name", "search_phone", "search_email")


class Patient(models.Model):
    """Demographics and contact details. Clinical data lives in charting, not here."""

    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    date_of_birth = models.DateField(verbose_name=_("date of birth"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    address = models.TextField(blank=True, verbose_name=_("address"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
        verbose_name=_("user"),
    )
    consent_to_contact = models.BooleanField(default=False, verbose_name=_("consent to contact"))
    consent_recorded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("consent recorded at")
    )

    class ContactChannel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
        BOTH = "both", _("E-mail and text message")

    # How the patient wants to hear from the clinic. Text messages go out only where the
    # clinic can send them and the patient has a phone number; otherwise e-mail.
    contact_channel = models.CharField(
        _("messages by"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.EMAIL,
        db_default=ContactChannel.EMAIL,
    )
    # The language the patient reads (their messages are written in it); blank: the clinic's.
    preferred_language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        default="",
        db_default="",
        verbose_name=_("preferred language"),
    )
    # Printed on superbills for the patient to claim from their insurer.
    # db_default: rows written by older code (and historical models in migrations) get "".
    insurer_name = models.CharField(_("insurer"), max_length=200, blank=True, db_default="")
    insurance_member_id = models.CharField(
        _("insurance member ID"), max_length=60, blank=True, db_default=""
    )
    insurance_group_number = models.CharField(
        _("insurance group number"), max_length=60, blank=True, db_default=""
    )

    class Gender(models.TextChoices):
        """Administrative gender, as records and claims exchange it (FHIR AdministrativeGender:
        the codes are the value set's own)."""

        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", pgettext_lazy("gender", "Other")
        UNKNOWN = "unknown", _("Unknown")

    # Blank: not recorded (different from "unknown", which someone recorded).
    gender = models.CharField(
        _("administrative gender"),
        max_length=10,
        blank=True,
        choices=Gender.choices,
        db_default="",
    )
    nhs_number = models.CharField(
        _("NHS number"),
        max_length=10,
        blank=True,
        db_default="",
        validators=[validate_nhs_number],
        help_text=_("UK patients: the 10-digit NHS number."),
    )
    # The clinic's own record number (e.g. from its former system or paper files).
    medical_record_number = models.CharField(
        _("medical record number"), max_length=40, blank=True, db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the search box compares (``search.fold``, ``search.digits``), filled on every save;
    # indexed for substring search (trigrams: pg_trgm on PostgreSQL, FTS5 on SQLite).
    search_name = models.CharField(
        max_length=201, blank=True, default="", db_default="", editable=False
    )
    search_phone = models.CharField(
        max_length=40, blank=True, default="", db_default="", editable=False
    )
    search_email = models.CharField(
        max_length=254, blank=True, default="", db_default="", editable=False
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(Lower("email"), "date_of_birth", name="patient_email_dob")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.fill_search_columns()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *SEARCH_COLUMNS}
        super().save(*args, **kwargs)

    def fill_search_columns(self) -> None:
        """The search columns from the name, phone and e-mail as they are now."""
        self.search_name = fold(f"{self.first_name} {self.last_name}")
        self.search_phone = digits(self.phone)
        self.search_email = fold(self.email or "")

    @property
    def full_name(self) -> str:
        return self.join_name(self.first_name, self.last_name)

    @staticmethod
    def join_name(first_name: str, last_name: str) -> str:
        """The name as pages show it, for lists that read the two columns as values."""
        return f"{first_name} {last_name}"

    @property
    def age(self) -> int:
        """Whole years today."""
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def phone_display(self) -> str:
        """The phone number as people write it (nationally for the clinic's own country)."""
        return display_phone(self.phone)

    @property
    def phone_checked(self) -> bool:
        """False for a number kept as typed because it could not be read (fix it by hand)."""
        return is_checked(self.phone)

    @property
    def nhs_number_display(self) -> str:
        """The NHS number as it is written: 3-3-4 digits."""
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if n else ""

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()


_FIRST_WITH_EMAIL = CompiledQuery(
    lambda key, date_of_birth: Patient.objects.with_email_key(key, date_of_birth).order_by("pk")[:1]
)
