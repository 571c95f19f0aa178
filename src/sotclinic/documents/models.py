"""Documents kept for a patient: files uploaded by staff or by the patient (stored privately,
never under a public URL), what the clinic asks a patient to upload, the clinic's consent
texts and the patient's signatures of them (kept as PDFs), and referral letters written from
the chart and signed by the practitioner."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.append_only import AppendOnlyError
from sotclinic.signatures import SignatureRecord

from .errors import LetterSigned


class Kind(models.TextChoices):
    IMAGING_REPORT = "imaging_report", _("Imaging report")
    LETTER = "letter", _("Letter")
    SCANNED_FORM = "scanned_form", _("Scanned form")
    IDENTITY_INSURANCE = "identity_insurance", _("Identity or insurance card")
    OTHER = "other", _("Other")


# Clinical documents (imaging reports, letters about the patient's care) are for practitioners
# only; front desk sees the administrative ones (scanned forms, cards, other papers).
CLINICAL_KINDS = frozenset({Kind.IMAGING_REPORT, Kind.LETTER})


class Document(models.Model):
    """One uploaded file. The bytes live in the private document store under ``stored_name``;
    ``sha256`` is of those bytes and is checked again on every download."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    by_patient = models.BooleanField(_("uploaded by the patient"), default=False)
    shared_with_patient = models.BooleanField(_("shown to the patient"), default=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.title

    @property
    def is_clinical(self) -> bool:
        return self.kind in CLINICAL_KINDS


class DocumentRequest(models.Model):
    """Something the clinic asks the patient to upload in the portal; answered by one upload."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="document_requests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what is asked for"), max_length=200)
    note = models.TextField(_("note to the patient"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ConsentText(models.Model):
    """A consent text the clinic writes (what the patient agrees to, in plain words; no claims
    about results). Patients sign the text as it stands; a changed text needs a new signature."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    active = models.BooleanField(_("asked of patients"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("consent text")

    def __str__(self) -> str:
        return self.title


class ConsentSignatureImmutable(AppendOnlyError):
    message = "A signed consent never changes."


class ConsentSignature(SignatureRecord):
    """A patient's signature of a consent text: the exact text shown and its SHA-256, the typed
    name, the drawn signature, when, from where and on which device, and the signed PDF."""

    Immutable = ConsentSignatureImmutable

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        TABLET = "tablet", _("Clinic tablet")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_signatures"
    )
    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="signatures")
    channel = models.CharField(_("signed on"), max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("consent signature")


class ReferralLetter(models.Model):
    """A letter to the patient's doctor, drafted from the chart and edited by the practitioner;
    once signed it never changes (corrections are addenda), like a note."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referral_letters"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.TextField(_("to (name and address)"), blank=True)
    body = models.TextField(_("letter"))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="referral_signed_with_signer",
            )
        ]

    def __str__(self) -> str:
        return f"Referral letter {self.pk}"

    def save(self, *args, **kwargs):
        # The stored row decides, not this object: a stale object must not slip past.
        if self.pk and ReferralLetter.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise LetterSigned()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and ReferralLetter.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise LetterSigned()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class LetterAddendum(models.Model):
    """A correction or addition to a signed letter, with its author and time."""

    letter = models.ForeignKey(ReferralLetter, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to letter {self.letter_id}"
