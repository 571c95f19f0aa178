"""Running totals of the ledger for the practice reports, written only by the ledger's write
path (``billing.ledger.post_entry``) in the transaction of each entry, so they always equal a
recomputation from the entries (``billing.summaries`` rebuilds them and the tests compare).

- ``RevenueDay``: per day and practitioner, what was charged, credited or reversed and what was
  received; the revenue report sums a period's days instead of reading its entries.
- ``OwedDebit``: per owing account, the part of its debits of each day still owed (the balance
  applied to the newest debits first); the ageing report groups these few rows per account.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["RevenueDay", "OwedDebit"]


class RevenueDay(models.Model):
    """The day's entries of one practitioner (or of none), summed as the revenue report adds
    them; a reversal counts on its own day, with the kind of the entry it reverses."""

    day = models.DateField(_("date"))
    practitioner = models.ForeignKey(
        "scheduling.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Charges; credit notes and reversals of charges or credits (zero or negative); payments
    # less refunds and reversals of either, signed as the entries (received money is negative).
    charged = models.BigIntegerField(default=0)
    reduced = models.BigIntegerField(default=0)
    received = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("revenue of a day")
        verbose_name_plural = _("revenue of days")
        indexes = [
            models.Index(
                fields=["day", "practitioner", "charged", "reduced", "received"],
                name="revenueday_period",
            ),
        ]
        constraints = [
            # One row per day and practitioner; NULL (no practitioner) has its own partial key,
            # which the ledger's upsert names.
            models.UniqueConstraint(
                fields=["day", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="revenueday_day_practitioner",
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(practitioner__isnull=True), name="revenueday_day_none"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.practitioner_id or '-'}: {self.charged + self.reduced}"


class OwedDebit(models.Model):
    """What is still owed of an account's debits of one day. An account's rows sum to its
    balance when it is positive; an account that owes nothing has none."""

    account = models.ForeignKey("billing.Account", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    amount = models.BigIntegerField(_("owed (minor units)"))

    class Meta:
        verbose_name = _("owed debit")
        verbose_name_plural = _("owed debits")
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="owed_debit_account_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="owed_debit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.amount}"
