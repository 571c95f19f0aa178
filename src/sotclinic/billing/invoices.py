"""Invoices and statements.

An invoice lists ledger entries that are on no invoice yet (charges, credit notes, reversals,
an opening balance) and is numbered from one counter per year (``INV-2026-000123``): the
year's counter row is locked in the transaction that issues the invoice, so numbers stay
unique and without gaps whoever issues at the same time. Its total is the sum of its lines and
never changes; what has been paid on it is read from the payments that name it.

A statement is every entry of an account between two dates, with the balance before the first
(opening) and after the last (closing).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from sotclinic.patients.models import Patient
from sotclinic.scheduling.selectors import clinic_today

from .errors import BillingError
from .ledger import account_for
from .models import Account, EntryKind, Invoice, InvoiceLine, InvoiceSequence, LedgerEntry

# What an invoice may list: what the patient owes, and what corrects or lowers it.
INVOICEABLE_KINDS = (EntryKind.CHARGE, EntryKind.CREDIT, EntryKind.REVERSAL, EntryKind.OPENING)


def invoice_number(year: int, sequence: int) -> str:
    return f"INV-{year}-{sequence:06d}"


def _next_number(year: int) -> str:
    InvoiceSequence.objects.get_or_create(year=year)
    counter = InvoiceSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return invoice_number(year, counter.last)


def uninvoiced_entries(patient: Patient):
    """The patient's entries that an invoice may still list, oldest first."""
    return LedgerEntry.objects.filter(
        account__patient=patient, kind__in=INVOICEABLE_KINDS, invoice_line__isnull=True
    ).order_by("occurred_on", "created_at", "id")


@transaction.atomic
def issue_invoice(
    patient: Patient,
    entries: Iterable[LedgerEntry | int],
    *,
    by,
    issued_on: dt.date | None = None,
) -> Invoice:
    """Issue one invoice listing ``entries`` (entries or their ids) of ``patient``'s account:
    a visit's charges, or several uninvoiced charges, credits and reversals together."""
    ids = sorted({entry if isinstance(entry, int) else entry.pk for entry in entries})
    if not ids:
        raise BillingError(_("Choose at least one entry to invoice."))
    account = account_for(patient)
    # The account lock queues two cashiers invoicing the same entries; the second is told.
    account = Account.objects.select_for_update().get(pk=account.pk)
    found = list(
        LedgerEntry.objects.filter(pk__in=ids, account=account).order_by("occurred_on", "id")
    )
    if len(found) != len(ids):
        raise BillingError(_("Only this patient's own entries can be invoiced."))
    if any(entry.kind not in INVOICEABLE_KINDS for entry in found):
        raise BillingError(_("Payments and refunds are not invoiced; choose charges and credits."))
    if InvoiceLine.objects.filter(entry__in=found).exists():
        raise BillingError(_("Some of these entries are already on an invoice."))
    issued_on = issued_on or clinic_today()
    invoice = Invoice.objects.create(
        number=_next_number(issued_on.year),
        account=account,
        currency=account.currency,
        total=sum(entry.amount for entry in found),
        issued_on=issued_on,
        created_by=by,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, entry=entry) for entry in found)
    return invoice


def invoice_paid(invoice: Invoice) -> int:
    """What has been paid against ``invoice`` (minor units): its payments, less the reversals
    of any of them."""
    paid = LedgerEntry.objects.filter(
        Q(kind=EntryKind.PAYMENT, invoice=invoice)
        | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.PAYMENT, reverses__invoice=invoice)
    ).aggregate(total=Sum("amount"))["total"]
    return -(paid or 0)


def invoice_outstanding(invoice: Invoice) -> int:
    return invoice.total - invoice_paid(invoice)


def invoices_with_payments(patient: Patient) -> list[Invoice]:
    """The patient's invoices, newest first, each with ``paid`` and ``outstanding``."""
    invoices = list(Invoice.objects.filter(account__patient=patient))
    for invoice in invoices:
        invoice.paid = invoice_paid(invoice)
        invoice.outstanding = invoice.total - invoice.paid
    return invoices


@dataclass(frozen=True)
class Statement:
    patient: Patient
    currency: str
    start: dt.date
    end: dt.date
    opening: int
    entries: list[LedgerEntry]
    closing: int


def statement(patient: Patient, start: dt.date, end: dt.date) -> Statement:
    """Every entry of the patient's account dated ``start`` to ``end`` (both included), with the
    balance before ``start`` and at the end of ``end``."""
    if end < start:
        raise BillingError(_("A statement's end date cannot be before its start date."))
    account = account_for(patient)
    entries = LedgerEntry.objects.filter(account=account)
    opening = entries.filter(occurred_on__lt=start).aggregate(total=Sum("amount"))["total"] or 0
    listed = list(
        entries.filter(occurred_on__gte=start, occurred_on__lte=end).order_by(
            "occurred_on", "created_at", "id"
        )
    )
    return Statement(
        patient=patient,
        currency=account.currency,
        start=start,
        end=end,
        opening=opening,
        entries=listed,
        closing=opening + sum(entry.amount for entry in listed),
    )


def patient_receipts(patient: Patient) -> list[LedgerEntry]:
    """The payments and refunds on the patient's account, newest first: what has a receipt."""
    return list(
        LedgerEntry.objects.filter(
            account__patient=patient, kind__in=(EntryKind.PAYMENT, EntryKind.REFUND)
        )
        .select_related("invoice")
        .order_by("-occurred_on", "-pk")
    )
