"""The fee schedule: what the clinic sells (services) and what each costs, per location and
currency. Amounts are integer minor units of the schedule's currency (pence, cents); never floats.

CPT descriptors are AMA-licensed: a service carries the code number and the clinic's own short
name; a clinic that holds a licence loads the official descriptors into ``CodeDescriptor``.
HCPCS Level II and ICD-10-CM are public domain.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CodeSystem",
    "TaxTreatment",
    "SuggestFor",
    "Service",
    "FeeSchedule",
    "Fee",
    "CodeDescriptor",
]

CURRENCY_VALIDATOR = RegexValidator(
    r"^[A-Z]{3}$", _("Enter an ISO 4217 code such as GBP, EUR or USD.")
)
# A billing modifier is two characters (CPT: 25, 59; HCPCS: AT, GA, GP).
MODIFIER_VALIDATOR = RegexValidator(r"^[A-Z0-9]{2}$", _("A modifier is two letters or digits."))
MAX_MODIFIERS = 4


class CodeSystem(models.TextChoices):
    CPT = "cpt", _("CPT (US)")
    HCPCS = "hcpcs", _("HCPCS Level II (US)")
    CLINIC = "clinic", _("The clinic's own codes")


class TaxTreatment(models.TextChoices):
    # UK chiropractic care is VAT-exempt; products sold at the desk usually are not.
    EXEMPT = "exempt", _("Exempt from tax")
    TAXABLE = "taxable", _("Taxable")


def validate_modifiers(value) -> None:
    if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
        raise ValidationError(_("Modifiers are a list of two-character codes."))
    if len(value) > MAX_MODIFIERS:
        raise ValidationError(_("At most four modifiers per line."))
    for modifier in value:
        MODIFIER_VALIDATOR(modifier)


class SuggestFor(models.TextChoices):
    """What in a signed visit suggests a service as a charge (``billing.charge_rules``)."""

    SPINAL_1_2 = "spinal_1_2", _("1–2 spinal regions adjusted")
    SPINAL_3_4 = "spinal_3_4", _("3–4 spinal regions adjusted")
    SPINAL_5 = "spinal_5", _("5 spinal regions adjusted")
    EXTRASPINAL = "extraspinal", _("Extraspinal regions adjusted")
    VISIT = "visit", _("Every signed visit")


class Service(models.Model):
    """Something the clinic bills for: an adjustment, an examination, a product."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("billing code"),
        max_length=20,
        blank=True,
        help_text=_("e.g. 98940 (CPT), A4556 (HCPCS), or the clinic's own code."),
    )
    code_system = models.CharField(
        _("code system"), max_length=10, choices=CodeSystem.choices, default=CodeSystem.CLINIC
    )
    default_modifiers = models.JSONField(
        _("default modifiers"), default=list, blank=True, validators=[validate_modifiers]
    )
    default_units = models.PositiveSmallIntegerField(
        _("default units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    tax_treatment = models.CharField(
        _("tax treatment"), max_length=10, choices=TaxTreatment.choices, default=TaxTreatment.EXEMPT
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    suggest_for = models.CharField(
        _("suggest for"),
        max_length=20,
        choices=SuggestFor.choices,
        blank=True,
        help_text=_(
            "Suggest this service as a charge when a signed visit shows this. "
            "Leave empty to add it only by hand."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["code_system", "code"],
                condition=~models.Q(code=""),
                name="service_code_once_per_system",
            ),
            models.CheckConstraint(
                condition=models.Q(tax_treatment="taxable") | models.Q(tax_rate=0),
                name="service_exempt_has_no_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class FeeSchedule(models.Model):
    """The prices of one location (or of every location without its own) in one currency."""

    name = models.CharField(_("name"), max_length=200)
    location = models.ForeignKey(
        "scheduling.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_schedules",
        verbose_name=_("location"),
        help_text=_("Leave empty for the schedule every location uses unless it has its own."),
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            # One active schedule per location and currency, and one clinic-wide per currency.
            models.UniqueConstraint(
                fields=["location", "currency"],
                condition=models.Q(active=True, location__isnull=False),
                name="fee_schedule_one_active_per_location",
            ),
            models.UniqueConstraint(
                fields=["currency"],
                condition=models.Q(active=True, location__isnull=True),
                name="fee_schedule_one_active_clinic_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Fee(models.Model):
    """The price of one service in one schedule, in minor units of the schedule's currency."""

    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.CASCADE, related_name="fees", verbose_name=_("fee schedule")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="fees", verbose_name=_("service")
    )
    amount = models.BigIntegerField(
        _("price (minor units)"),
        validators=[MinValueValidator(0)],
        help_text=_("In the currency's smallest unit: 4500 is 45.00."),
    )

    class Meta:
        ordering = ["schedule", "service"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "service"], name="fee_once_per_schedule"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.amount}"


class CodeDescriptor(models.Model):
    """A code's official descriptor, loaded by a clinic that holds the licence (CPT) or from a
    public-domain file (HCPCS). sotclinic ships none for CPT."""

    code_system = models.CharField(_("code system"), max_length=10, choices=CodeSystem.choices)
    code = models.CharField(_("code"), max_length=20)
    descriptor = models.TextField(_("descriptor"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["code_system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_system", "code"], name="descriptor_once")
        ]

    def __str__(self) -> str:
        return f"{self.code_system} {self.code}"
