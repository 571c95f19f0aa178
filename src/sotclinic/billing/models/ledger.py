"""The patient ledger: every charge, payment, refund, credit and reversal is one append-only
entry; an account's balance is the sum of its entries and is kept on the account row, updated in
the same transaction as each entry (``billing.services``), so the two can never disagree.

Amounts are signed integer minor units: positive entries raise what the patient owes (charges,
refunds paid out), negative ones lower it (payments, credits). A posted entry never changes; a
mistake is corrected by a reversal entry of the opposite amount that names the entry it reverses.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.append_only import AppendOnlyError, AppendOnlyModel

from .fees import CURRENCY_VALIDATOR, CodeSystem, validate_modifiers

__all__ = [
    "Account",
    "EntryKind",
    "PaymentMethod",
    "LedgerEntry",
    "LedgerImmutable",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "Receipt",
    "ReceiptSequence",
    "ChargeDraft",
]

# A billing line points to at most four of the visit's diagnosis codes (CMS-1500 box 24E).
MAX_DIAGNOSIS_POINTERS = 4


class LedgerImmutable(AppendOnlyError):
    message = "Ledger entries, issued invoices and receipts cannot change; post a reversal instead."


class Account(models.Model):
    """One patient's account in the clinic's currency; ``balance`` is the sum of its entries."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="account"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    balance = models.BigIntegerField(_("balance (minor units)"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"Account of patient {self.patient_id}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    CREDIT = "credit", _("Credit note")
    REVERSAL = "reversal", _("Reversal")
    OPENING = "opening", _("Opening balance")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card (terminal)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    INSURER = "insurer", _("Insurer")
    PACKAGE = "package", _("Prepaid package")
    OTHER = "other", _("Other")


class LedgerEntry(AppendOnlyModel):
    Immutable = LedgerImmutable

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    # Date of service for a charge, date received for a payment.
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Who and where, for revenue reports (charges).
    practitioner = models.ForeignKey(
        "scheduling.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        "scheduling.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A charge's billing line.
    visit = models.ForeignKey(
        "charting.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "billing.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20, blank=True)
    code_system = models.CharField(
        _("code system"), max_length=10, choices=CodeSystem.choices, blank=True
    )
    modifiers = models.JSONField(_("modifiers"), default=list, blank=True)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    # 1-based positions in the visit note's diagnosis codes.
    diagnosis_pointers = models.JSONField(_("diagnosis pointers"), default=list, blank=True)
    tax_amount = models.BigIntegerField(_("of which tax (minor units)"), default=0)
    # A payment's or refund's method and reference (terminal slip, bank reference).
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text=_("The invoice a payment was taken against."),
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["account", "created_at", "id"], name="entry_account_time"),
            models.Index(fields=["kind", "occurred_on"], name="entry_kind_date"),
            # The practice reports (billing.reports): revenue per period read from the index
            # alone, filtered by practitioner, and each owing account's debits newest first.
            models.Index(
                fields=["kind", "occurred_on", "practitioner", "amount"], name="entry_revenue"
            ),
            models.Index(fields=["practitioner", "occurred_on"], name="entry_practitioner_date"),
            models.Index(
                fields=["account", "occurred_on", "id", "amount"],
                condition=models.Q(amount__gt=0),
                name="entry_account_debits",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="charge") | models.Q(amount__gte=0),
                name="entry_charge_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["payment", "credit"]) | models.Q(amount__lt=0),
                name="entry_payment_credit_lower_balance",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="refund") | models.Q(amount__gt=0),
                name="entry_refund_raises_balance",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reversal", reverses__isnull=False)
                | (~models.Q(kind="reversal") & models.Q(reverses__isnull=True)),
                name="entry_reversal_names_its_entry",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["payment", "refund"]) | ~models.Q(method=""),
                name="entry_payment_has_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class Invoice(AppendOnlyModel):
    """An issued invoice: a numbered document listing charges; it never changes once issued."""

    Immutable = LedgerImmutable

    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    total = models.BigIntegerField(_("total (minor units)"))
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number


class InvoiceLine(AppendOnlyModel):
    """A ledger entry (a charge, a credit, a reversal) listed on an invoice; each on one only."""

    Immutable = LedgerImmutable

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="invoice_line")

    class Meta:
        ordering = ["invoice", "id"]


class InvoiceSequence(models.Model):
    """The last invoice number given in a year. ``billing.invoices`` locks the year's row in the
    transaction that issues an invoice, so two invoices never get one number."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Receipt(AppendOnlyModel):
    """The receipt number of a payment or refund, given in the transaction that posts it from
    one counter per year (``RCP-2026-000123``), so receipts are numbered without gaps. A
    number once given never changes."""

    Immutable = LedgerImmutable

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(_("number"), max_length=30, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number


class ReceiptSequence(models.Model):
    """The last receipt number given in a year; ``billing.ledger`` locks the year's row in the
    transaction that posts a payment or refund, so two receipts never get one number."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ChargeDraft(models.Model):
    """A billing line suggested from a signed visit (or added by hand) that front desk reviews:
    posted (it becomes a ledger entry) or discarded. Only open drafts change."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        POSTED = "posted", _("Posted")
        DISCARDED = "discarded", _("Discarded")

    visit = models.ForeignKey(
        "charting.Visit", on_delete=models.PROTECT, related_name="charge_drafts"
    )
    service = models.ForeignKey(
        "billing.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20, blank=True)
    code_system = models.CharField(
        _("code system"), max_length=10, choices=CodeSystem.choices, blank=True
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    modifiers = models.JSONField(
        _("modifiers"), default=list, blank=True, validators=[validate_modifiers]
    )
    units = models.PositiveSmallIntegerField(
        _("units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    diagnosis_pointers = models.JSONField(_("diagnosis pointers"), default=list, blank=True)
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(0)])
    tax_amount = models.BigIntegerField(_("of which tax (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    # Why it was suggested (e.g. "3 spinal regions adjusted"), empty when added by hand.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="draft"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("charge to review")
        verbose_name_plural = _("charges to review")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="posted", entry__isnull=False)
                | (~models.Q(status="posted") & models.Q(entry__isnull=True)),
                name="chargedraft_posted_has_entry",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="chargedraft_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.code or self.description} ({self.get_status_display()})"
