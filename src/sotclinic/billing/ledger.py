"""The one path that writes the ledger. Every entry is inserted together with the update of its
account's balance, in one transaction with the account row locked, so the balance is always the
sum of the entries, also with many cashiers at once (checked by tests on both databases). The
reports' running totals (``billing.summaries``) move in the same transaction.

Other billing services (charges from visits, invoices, packages) post through ``post_entry``.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import ClinicSettings
from sotclinic.scheduling.selectors import clinic_today

from . import summaries
from .errors import BillingError
from .models import Account, EntryKind, LedgerEntry, PaymentMethod, Receipt, ReceiptSequence


def clinic_currency() -> str:
    return ClinicSettings.load().currency


def account_for(patient: Patient) -> Account:
    """The patient's account, opened in the clinic's currency on first use."""
    account, _created = Account.objects.get_or_create(
        patient=patient, defaults={"currency": clinic_currency()}
    )
    return account


@transaction.atomic
def post_entry(
    patient: Patient, *, kind: str, amount: int, by, occurred_on: dt.date | None = None, **fields
) -> LedgerEntry:
    """Append one entry to the patient's ledger and move the balance by its amount.

    ``amount`` is signed minor units (positive raises what the patient owes). The database's
    constraints refuse a sign that does not fit the kind."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise BillingError(_("An amount is a whole number of the currency's smallest unit."))
    account = account_for(patient)
    # Lock the account row first: concurrent posts to one patient queue here, not in the sum.
    account = Account.objects.select_for_update().get(pk=account.pk)
    currency = fields.pop("currency", account.currency)
    if currency != account.currency:
        raise BillingError(
            _("This account is kept in %(account)s; an entry in %(entry)s cannot be posted to it.")
            % {"account": account.currency, "entry": currency}
        )
    entry = LedgerEntry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        currency=currency,
        occurred_on=occurred_on or clinic_today(),
        created_by=by,
        **fields,
    )
    Account.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount, updated_at=timezone.now()
    )
    # The reports' running totals move in the same transaction (their only writer).
    summaries.record(entry, account.balance + amount)
    if kind in RECEIPTED_KINDS:
        number_receipt(entry)
    return entry


# Money that changes hands gets a receipt.
RECEIPTED_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)


def receipt_number(year: int, sequence: int) -> str:
    return f"RCP-{year}-{sequence:06d}"


def number_receipt(entry: LedgerEntry) -> Receipt:
    """Give a payment or refund the next receipt number of its year (inside the transaction
    that posts it: the year's counter row stays locked until it commits, so numbers have no
    gaps and are never given twice)."""
    year = entry.occurred_on.year
    ReceiptSequence.objects.get_or_create(year=year)
    counter = ReceiptSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return Receipt.objects.create(entry=entry, number=receipt_number(year, counter.last))


@transaction.atomic
def post_opening_balance(
    patient: Patient,
    *,
    amount: int,
    by,
    occurred_on: dt.date | None = None,
    description: str = "",
) -> LedgerEntry:
    """Carry the balance a patient had in another system onto their account, once.

    ``amount`` is signed minor units (positive: the patient owes it; negative: a credit). An
    account has at most one opening balance that stands: a second one is refused while the
    first is not reversed (a correction is a reversal and a new entry)."""
    if not amount:
        raise BillingError(_("An opening balance of zero changes nothing; leave it out."))
    account = Account.objects.select_for_update().get(pk=account_for(patient).pk)
    standing = LedgerEntry.objects.filter(account=account, kind=EntryKind.OPENING).exclude(
        pk__in=LedgerEntry.objects.filter(reverses__isnull=False).values("reverses")
    )
    if standing.exists():
        raise BillingError(
            _("%(name)s already has an opening balance; reverse it before posting another.")
            % {"name": patient.full_name}
        )
    return post_entry(
        patient,
        kind=EntryKind.OPENING,
        amount=amount,
        by=by,
        occurred_on=occurred_on,
        description=description[:300],
    )


@transaction.atomic
def reverse_entry(entry: LedgerEntry, *, by, reason: str) -> LedgerEntry:
    """Cancel a posted entry by an entry of the opposite amount; the original stays as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Say why the entry is reversed."))
    entry = LedgerEntry.objects.select_related("account__patient").get(pk=entry.pk)
    # Lock the account before looking for an earlier reversal: two cashiers reversing the same
    # entry at once queue here, and the second is told it is done (not a unique-key error).
    Account.objects.select_for_update().filter(pk=entry.account_id).first()
    if entry.kind == EntryKind.REVERSAL:
        raise BillingError(_("A reversal cannot itself be reversed; post a new entry instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise BillingError(_("This entry has already been reversed."))
    return post_entry(
        entry.account.patient,
        kind=EntryKind.REVERSAL,
        amount=-entry.amount,
        by=by,
        reverses=entry,
        description=reason[:300],
        visit=entry.visit,
        practitioner=entry.practitioner,
        location=entry.location,
        service=entry.service,
        code=entry.code,
        code_system=entry.code_system,
        modifiers=entry.modifiers,
        units=entry.units,
        tax_amount=-entry.tax_amount,
    )


def _positive(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise BillingError(_("Enter an amount greater than zero."))
    return amount


def _method(method: str) -> str:
    if method not in PaymentMethod.values:
        raise BillingError(_("Choose how the money was paid."))
    return method


def record_payment(
    patient: Patient,
    *,
    amount: int,
    method: str,
    by,
    reference: str = "",
    invoice=None,
    occurred_on: dt.date | None = None,
) -> LedgerEntry:
    """Money received from (or for) the patient; ``amount`` is positive minor units. A payment
    may name one of the patient's invoices it pays (see ``invoices.invoice_paid``)."""
    if invoice is not None and invoice.account.patient_id != patient.pk:
        raise BillingError(_("A payment can only name one of this patient's invoices."))
    return post_entry(
        patient,
        kind=EntryKind.PAYMENT,
        amount=-_positive(amount),
        by=by,
        method=_method(method),
        reference=reference,
        invoice=invoice,
        occurred_on=occurred_on,
    )


def record_refund(
    patient: Patient,
    *,
    amount: int,
    method: str,
    by,
    reference: str = "",
    occurred_on: dt.date | None = None,
) -> LedgerEntry:
    """Money paid back to the patient; ``amount`` is positive minor units."""
    return post_entry(
        patient,
        kind=EntryKind.REFUND,
        amount=_positive(amount),
        by=by,
        method=_method(method),
        reference=reference,
        occurred_on=occurred_on,
    )


def issue_credit(patient: Patient, *, amount: int, by, reason: str, **fields) -> LedgerEntry:
    """A credit note: lowers what the patient owes without money changing hands."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Say what the credit is for."))
    return post_entry(
        patient,
        kind=EntryKind.CREDIT,
        amount=-_positive(amount),
        by=by,
        description=reason[:300],
        **fields,
    )


def entries_total(account: Account) -> int:
    """The sum of an account's entries, from the entries themselves (the invariant's other side)."""
    return LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0
