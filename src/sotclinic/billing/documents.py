"""Receipts, invoices and statements as PDF (reportlab), and e-mailed through the outbox.

Each document names the practice (its first location's name, address, phone and e-mail), the
patient, the lines with their dates and amounts written by ``sotclinic.money.format_money``,
and the totals. They are written in the patient's language, like every message to a patient.
They state amounts only: no clinical findings, no claims about care.
"""

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sotclinic.messaging import services as outbox
from sotclinic.money import format_money
from sotclinic.patients.models import Patient
from sotclinic.scheduling.clinic_locales import written_for
from sotclinic.scheduling.models import Location

from .errors import BillingError
from .invoices import Statement, invoice_paid
from .models import EntryKind, Invoice, LedgerEntry

PDF = "application/pdf"


@dataclass(frozen=True)
class Document:
    filename: str
    title: str
    content: bytes


def _practice() -> Location | None:
    return Location.objects.order_by("pk").first()


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _entry_label(entry: LedgerEntry) -> str:
    parts = [entry.get_kind_display()]
    if entry.code:
        parts.append(" ".join([entry.code, *entry.modifiers]))
    if entry.description:
        parts.append(entry.description)
    if entry.method:
        parts.append(entry.get_method_display())
    if entry.reference:
        parts.append(entry.reference)
    return " · ".join(parts)


def _render(title: str, heading_rows: list[tuple[str, str]], patient: Patient, table, totals):
    """One A4 page layout: practice, title, patient and document facts, lines, totals."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    story = []
    practice = _practice()
    if practice is not None:
        story.append(Paragraph(escape(practice.name), styles["Heading2"]))
        contact = [practice.address.replace("\n", ", "), practice.phone, practice.email]
        story.append(Paragraph(escape(" · ".join(p for p in contact if p)), body))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(escape(title), styles["Title"]))
    facts = [(_("Patient"), patient.full_name), *heading_rows]
    if patient.address:
        facts.insert(1, (_("Address"), patient.address.replace("\n", ", ")))
    story.append(
        Table(
            [[Paragraph(escape(k), body), Paragraph(escape(v), body)] for k, v in facts],
            colWidths=[40 * mm, 130 * mm],
            hAlign="LEFT",
        )
    )
    story.append(Spacer(1, 6 * mm))
    header = [_("Date"), _("Description"), _("Amount")]
    rows = [
        header,
        *(
            [Paragraph(escape(_date(d)), body), Paragraph(escape(text), body), amount]
            for d, text, amount in table
        ),
    ]
    # The date wraps in its column rather than run into the description (a long month name).
    lines = Table(rows, colWidths=[36 * mm, 104 * mm, 34 * mm], repeatRows=1, hAlign="LEFT")
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(lines)
    story.append(Spacer(1, 4 * mm))
    summary = Table(totals, colWidths=[140 * mm, 34 * mm], hAlign="LEFT")
    summary.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ]
        )
    )
    story.append(summary)
    doc.build(story)
    return buffer.getvalue()


def receipt_pdf(entry: LedgerEntry) -> Document:
    """A receipt for a payment (or a refund paid back)."""
    if entry.kind not in (EntryKind.PAYMENT, EntryKind.REFUND):
        raise BillingError(_("Receipts are given for payments and refunds only."))
    patient = entry.account.patient
    with written_for(patient):
        money = format_money(
            -entry.amount if entry.kind == EntryKind.PAYMENT else entry.amount, entry.currency
        )
        title = _("Receipt") if entry.kind == EntryKind.PAYMENT else _("Refund receipt")
        number = entry.receipt.number
        facts = [(_("Receipt number"), number), (_("Date"), _date(entry.occurred_on))]
        if entry.invoice_id:
            facts.append((_("Invoice"), entry.invoice.number))
        facts.append((_("Method"), entry.get_method_display()))
        if entry.reference:
            facts.append((_("Reference"), entry.reference))
        label = _("Received with thanks") if entry.kind == EntryKind.PAYMENT else _("Paid back")
        content = _render(
            title,
            facts,
            patient,
            [(entry.occurred_on, _entry_label(entry), money)],
            [[label, money]],
        )
    return Document(f"receipt-{number}.pdf", f"{title} {number}", content)


def invoice_pdf(invoice: Invoice) -> Document:
    patient = invoice.account.patient
    entries = [line.entry for line in invoice.lines.select_related("entry")]
    with written_for(patient):
        paid = invoice_paid(invoice)
        content = _render(
            _("Invoice"),
            [(_("Invoice number"), invoice.number), (_("Issued on"), _date(invoice.issued_on))],
            patient,
            [
                (entry.occurred_on, _entry_label(entry), format_money(entry.amount, entry.currency))
                for entry in entries
            ],
            [
                [_("Total"), format_money(invoice.total, invoice.currency)],
                [_("Paid"), format_money(paid, invoice.currency)],
                [_("Outstanding"), format_money(invoice.total - paid, invoice.currency)],
            ],
        )
        title = " ".join([_("Invoice"), invoice.number])
    return Document(f"invoice-{invoice.number}.pdf", title, content)


def statement_pdf(statement: Statement) -> Document:
    patient, currency = statement.patient, statement.currency
    with written_for(patient):
        period = f"{_date(statement.start)} – {_date(statement.end)}"
        content = _render(
            _("Statement"),
            [(_("Period"), period)],
            patient,
            [
                (entry.occurred_on, _entry_label(entry), format_money(entry.amount, currency))
                for entry in statement.entries
            ],
            [
                [_("Opening balance"), format_money(statement.opening, currency)],
                [_("Closing balance"), format_money(statement.closing, currency)],
            ],
        )
        title = " ".join([_("Statement"), period])
    return Document(
        f"statement-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.pdf", title, content
    )


def patient_document(patient: Patient, kind: str, pk: int) -> Document | None:
    """The ``kind`` ("receipt" or "invoice") document ``pk`` of ``patient``'s own account, or
    None when there is no such document on that patient's account: one patient's number never
    opens another patient's paper."""
    if kind == "receipt":
        entry = (
            LedgerEntry.objects.select_related("account__patient", "invoice")
            .filter(pk=pk, account__patient=patient, kind__in=(EntryKind.PAYMENT, EntryKind.REFUND))
            .first()
        )
        return None if entry is None else receipt_pdf(entry)
    if kind == "invoice":
        invoice = (
            Invoice.objects.select_related("account__patient")
            .filter(pk=pk, account__patient=patient)
            .first()
        )
        return None if invoice is None else invoice_pdf(invoice)
    return None


def email_document(patient: Patient, document: Document, *, kind: str):
    """Queue an e-mail to the patient with ``document`` attached, in their language, inside
    the caller's transaction. Raises BillingError when the patient has no e-mail address."""
    if not patient.email:
        raise BillingError(_("This patient has no e-mail address; add one first."))
    practice = _practice()
    sender = practice.name if practice is not None else ""
    with written_for(patient):
        subject = _("%(document)s from %(clinic)s") % {"document": document.title, "clinic": sender}
        body = (
            render_to_string(
                "billing/email/document.txt",
                {"patient": patient, "document": document, "clinic_name": sender},
            ).strip()
            + "\n"
        )
        html = render_to_string(
            "scheduling/email/layout.html",
            {"text": body, "subject": subject, "clinic_name": sender},
        )
    return outbox.queue_email(
        to=patient.email,
        subject=subject,
        body=body,
        html=html,
        attachments=[(document.filename, document.content, PDF)],
        kind=kind,
        patient=patient,
        sender_name=sender,
    )
