"""Prepaid packages (N visits for one price) and memberships (a monthly fee).

Selling a package posts one charge for its price; each visit paid with it is a redemption row
together with a credit entry of the visit's amount (``billing.packages``). The count of
redemptions never exceeds the package's visits: the service locks the package row, and the
database refuses ``visits_used`` above ``visits_total``. A membership's monthly fee is one
charge per month, once (unique per membership and month). No card is collected here.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fees import CURRENCY_VALIDATOR
from .ledger import LedgerEntry

__all__ = [
    "PackageProduct",
    "PatientPackage",
    "PackageRedemption",
    "MembershipPlan",
    "Membership",
    "MembershipFee",
]


class PackageProduct(models.Model):
    """A bundle the clinic sells: N visits for one price, optionally valid for some days."""

    name = models.CharField(_("name"), max_length=200)
    visits = models.PositiveSmallIntegerField(
        _("visits"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    price = models.BigIntegerField(_("price (minor units)"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a package that does not expire."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.CheckConstraint(condition=models.Q(visits__gte=1), name="package_has_visits"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="package_price"),
        ]

    def __str__(self) -> str:
        return self.name


class PatientPackage(models.Model):
    """A package sold to a patient; what it holds is copied at sale and never changes after."""

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="packages",
        verbose_name=_("patient"),
    )
    product = models.ForeignKey(
        PackageProduct, on_delete=models.PROTECT, related_name="sold", verbose_name=_("package")
    )
    name = models.CharField(_("name"), max_length=200)
    visits_total = models.PositiveSmallIntegerField(_("visits"))
    visits_used = models.PositiveSmallIntegerField(_("visits used"), default=0)
    price = models.BigIntegerField(_("price (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    sold_on = models.DateField(_("sold on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    charge = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="package_sold",
        verbose_name=_("charge for the package"),
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sold by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["sold_on", "id"]
        verbose_name = _("patient's package")
        verbose_name_plural = _("patients' packages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visits_used__lte=models.F("visits_total")),
                name="package_used_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.visits_left} left)"

    @property
    def visits_left(self) -> int:
        return self.visits_total - self.visits_used

    def usable_on(self, day) -> bool:
        return self.visits_left > 0 and (self.expires_on is None or day <= self.expires_on)


class PackageRedemption(models.Model):
    """One visit paid with a package: its credit entry lowers the visit's charges."""

    package = models.ForeignKey(
        PatientPackage, on_delete=models.PROTECT, related_name="redemptions"
    )
    visit = models.ForeignKey("charting.Visit", on_delete=models.PROTECT, related_name="+")
    credit = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="package_redemption"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "visit"], name="redemption_once_per_visit")
        ]

    def __str__(self) -> str:
        return f"{self.package.name}: visit {self.visit_id}"


class MembershipPlan(models.Model):
    """A membership the clinic offers for a monthly fee."""

    name = models.CharField(_("name"), max_length=200)
    monthly_fee = models.BigIntegerField(
        _("monthly fee (minor units)"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_fee__gte=0), name="membership_fee_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A patient's membership: from its start until it ends, one fee per month."""

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("patient"),
    )
    plan = models.ForeignKey(
        MembershipPlan,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("membership plan"),
    )
    monthly_fee = models.BigIntegerField(_("monthly fee (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} from {self.started_on}"


class MembershipFee(models.Model):
    """The charge of one month of a membership; ``month`` is the month's first day."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="fees")
    month = models.DateField(_("month"))
    charge = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="membership_fee"
    )

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "month"], name="membership_fee_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.plan.name} {self.month:%Y-%m}"
