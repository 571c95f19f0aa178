"""The superbill: a statement of the services a patient received over a period, with what
insurers ask for to pay a claim (the fields of a CMS-1500 a patient cannot fill in alone).

It names the practice and its identifiers (NPI and tax ID in the US, a registration number
elsewhere), the rendering practitioner of each line, the patient with date of birth, address
and insurance, every diagnosis once (lettered A, B, C… as on the CMS-1500, box 21), and each
date of service with its billed lines: code, modifiers, units, diagnosis pointers (letters) and
fee; then what was paid in the period and the balance of the account.

A line is a posted charge that was not reversed; its pointers are positions in its visit's
note's diagnosis codes, turned here into letters of the superbill's one list.
"""

from __future__ import annotations

import datetime as dt
import io
import string
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sotclinic.charting.diagnosis_codes import SYSTEM_NAMES, diagnosis_codes, read_stored
from sotclinic.charting.models import Note
from sotclinic.clinic_locale import date_text
from sotclinic.messaging.services import queue_email
from sotclinic.money import format_money
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import ClinicSettings, Location, Practitioner
from sotclinic.scheduling.notifications import clinic_name
from sotclinic.scheduling.selectors import clinic_today

from .errors import BillingError
from .models import Account, EntryKind, LedgerEntry

# CMS-1500 box 21 lists up to twelve diagnoses, A to L; a longer period simply goes on.
LETTERS = string.ascii_uppercase
# A wider font than the PDF standard ones, for names outside Latin-1, where the system has it.
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
MAX_PERIOD_DAYS = 3 * 366


@dataclass
class Line:
    entry_id: int
    code: str
    description: str
    modifiers: list[str]
    units: int
    pointers: list[str]  # letters into Superbill.diagnoses
    fee: int
    practitioner: str


@dataclass
class ServiceDate:
    day: dt.date
    practitioner: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Superbill:
    patient: Patient
    start: dt.date
    end: dt.date
    currency: str
    practice_name: str
    practice_address: str
    practice_phone: str
    npi: str
    tax_id: str
    registration_number: str
    practitioners: list[Practitioner]
    diagnoses: list[tuple[str, str, str]]  # (letter, code, title)
    # The code systems the diagnoses are in ("ICD-10-CM"); the clinic's when none is listed.
    diagnosis_systems: list[str]
    dates: list[ServiceDate]
    charged: int
    paid: int
    balance: int

    @property
    def lines(self) -> list[Line]:
        return [line for day in self.dates for line in day.lines]

    @property
    def filename(self) -> str:
        return f"superbill-{self.patient.pk}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.pdf"


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise BillingError(_("The end date is before the start date."))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BillingError(_("A superbill covers at most three years; choose a shorter period."))


def superbill_for(patient: Patient, start: dt.date, end: dt.date) -> Superbill:
    """The superbill's content for ``patient``'s services from ``start`` to ``end`` (inclusive)."""
    check_period(start, end)
    settings = ClinicSettings.load()
    account = Account.objects.filter(patient=patient).first()
    charges = list(
        LedgerEntry.objects.filter(
            account__patient=patient,
            kind=EntryKind.CHARGE,
            occurred_on__gte=start,
            occurred_on__lte=end,
            reversed_by__isnull=True,
        )
        .select_related("practitioner", "location", "service")
        .order_by("occurred_on", "visit_id", "id")
    )
    notes = dict(
        Note.objects.filter(visit_id__in={c.visit_id for c in charges if c.visit_id}).values_list(
            "visit_id", "diagnosis_codes"
        )
    )
    titles = diagnosis_codes()
    letters: dict[str, str] = {}
    systems: dict[str, None] = {}  # the code systems of the diagnoses listed, in order
    dates: list[ServiceDate] = []
    for charge in charges:
        note_codes = [read_stored(entry) for entry in notes.get(charge.visit_id) or []]
        pointers = []
        for position in charge.diagnosis_pointers or []:
            if isinstance(position, int) and 1 <= position <= len(note_codes):
                system, code = note_codes[position - 1]
                systems[system] = None
                if code not in letters:
                    letters[code] = LETTERS[len(letters) % len(LETTERS)]
                pointers.append(letters[code])
        who = charge.practitioner.display_name if charge.practitioner else ""
        if not dates or dates[-1].day != charge.occurred_on or dates[-1].practitioner != who:
            dates.append(ServiceDate(charge.occurred_on, who))
        dates[-1].lines.append(
            Line(
                entry_id=charge.pk,
                code=charge.code,
                description=charge.description or (charge.service.name if charge.service else ""),
                modifiers=list(charge.modifiers or []),
                units=charge.units,
                pointers=pointers,
                fee=charge.amount,
                practitioner=who,
            )
        )
    paid = LedgerEntry.objects.filter(
        Q(kind__in=[EntryKind.PAYMENT, EntryKind.REFUND])
        | Q(kind=EntryKind.REVERSAL, reverses__kind__in=[EntryKind.PAYMENT, EntryKind.REFUND]),
        account__patient=patient,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).aggregate(total=Sum("amount", default=0))["total"]
    location = next((c.location for c in charges if c.location), None) or (
        Location.objects.order_by("pk").first()
    )
    practitioners = list(
        {c.practitioner_id: c.practitioner for c in charges if c.practitioner}.values()
    )
    return Superbill(
        patient=patient,
        start=start,
        end=end,
        currency=account.currency if account else settings.currency,
        practice_name=settings.billing_name or clinic_name(location),
        practice_address=location.address if location else "",
        practice_phone=location.phone if location else "",
        npi=settings.npi,
        tax_id=settings.tax_id,
        registration_number=settings.registration_number,
        practitioners=practitioners,
        diagnoses=[
            (letter, code, titles[code].title if code in titles else "")
            for code, letter in letters.items()
        ],
        diagnosis_systems=[SYSTEM_NAMES[system] for system in systems]
        or [SYSTEM_NAMES[settings.diagnosis_codes]],
        dates=dates,
        charged=sum(c.amount for c in charges),
        paid=-paid,
        balance=account.balance if account else 0,
    )


# --- The PDF -----------------------------------------------------------------------------------


def _fonts() -> tuple[str, str]:
    regular, bold = FONT_FILES
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "SuperbillSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SuperbillSans", str(regular)))
        pdfmetrics.registerFont(TTFont("SuperbillSans-Bold", str(bold)))
        # <b> in a paragraph picks the family's bold face.
        pdfmetrics.registerFontFamily(
            "SuperbillSans",
            normal="SuperbillSans",
            bold="SuperbillSans-Bold",
            italic="SuperbillSans",
            boldItalic="SuperbillSans-Bold",
        )
    return "SuperbillSans", "SuperbillSans-Bold"


def _text(value: str) -> str:
    return escape(value or "").replace("\n", "<br/>")


def _labelled(label: str, value: str) -> str:
    """One "label: value" line of the header, the label in bold; ``value`` is markup already."""
    return f"<b>{_text(label)}:</b> {value}"


def render_pdf(bill: Superbill) -> bytes:
    """The superbill as a PDF: Letter paper for US clinics (with an NPI), A4 elsewhere."""
    regular, bold = _fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=11, leading=14)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20)

    def money(amount: int) -> str:
        return format_money(amount, bill.currency)

    def day(value: dt.date) -> str:
        return date_text(value, "short")

    buffer = io.BytesIO()
    page = LETTER if bill.npi else A4
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Superbill"),
        author=bill.practice_name,
    )
    width = document.width - 12  # the frame's own padding, 6 points each side
    story = []

    practice = [f"<b>{_text(bill.practice_name)}</b>", _text(bill.practice_address)]
    if bill.practice_phone:
        practice.append(_text(bill.practice_phone))
    identifiers = []
    if bill.npi:
        identifiers.append(_("Practice NPI: %(npi)s") % {"npi": bill.npi})
    if bill.tax_id:
        identifiers.append(_("Tax ID: %(tax_id)s") % {"tax_id": bill.tax_id})
    if bill.registration_number:
        identifiers.append(
            _("Registration number: %(number)s") % {"number": bill.registration_number}
        )
    for practitioner in bill.practitioners:
        ids = [practitioner.display_name]
        if practitioner.credentials:
            ids.append(practitioner.credentials)
        if practitioner.npi:
            ids.append(_("NPI %(npi)s") % {"npi": practitioner.npi})
        if practitioner.registration_number:
            ids.append(_("Reg. %(number)s") % {"number": practitioner.registration_number})
        identifiers.append(_("Provider: %(provider)s") % {"provider": ", ".join(ids)})
    head = Table(
        [
            [
                Paragraph("<br/>".join(practice), body),
                Paragraph("<br/>".join(_text(i) for i in identifiers), small),
            ]
        ],
        colWidths=[width * 0.5, width * 0.5],
    )
    head.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )
    story += [head, Spacer(1, 4 * mm)]
    story.append(Paragraph(_("Superbill"), title))
    story.append(
        Paragraph(
            _("Services from %(start)s to %(end)s")
            % {"start": day(bill.start), "end": day(bill.end)},
            body,
        )
    )
    story.append(Spacer(1, 4 * mm))

    patient = bill.patient
    patient_lines = [
        _labelled(_("Patient"), _text(patient.full_name)),
        _labelled(_("Date of birth"), day(patient.date_of_birth)),
        _labelled(_("Address"), _text(patient.address) or "—"),
    ]
    insurance_lines = [
        _labelled(_("Insurer"), _text(patient.insurer_name) or "—"),
        _labelled(_("Member ID"), _text(patient.insurance_member_id) or "—"),
        _labelled(_("Group number"), _text(patient.insurance_group_number) or "—"),
    ]
    people = Table(
        [
            [
                Paragraph("<br/>".join(patient_lines), body),
                Paragraph("<br/>".join(insurance_lines), body),
            ]
        ],
        colWidths=[width * 0.5, width * 0.5],
    )
    people.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("LINEAFTER", (0, 0), (0, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [people, Spacer(1, 5 * mm)]

    systems = ", ".join(bill.diagnosis_systems)
    story.append(Paragraph(_("Diagnoses (%(systems)s)") % {"systems": systems}, heading))
    if bill.diagnoses:
        rows = [
            [letter, code, Paragraph(_text(title_), small)]
            for letter, code, title_ in bill.diagnoses
        ]
        diagnoses = Table(rows, colWidths=[10 * mm, 24 * mm, width - 34 * mm])
        diagnoses.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("FONTNAME", (0, 0), (0, -1), bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        story.append(diagnoses)
    else:
        story.append(Paragraph(_("No diagnosis codes were recorded for these services."), body))
    story.append(Spacer(1, 5 * mm))

    story.append(Paragraph(_("Services"), heading))
    header = [
        _("Date"),
        _("Code"),
        _("Description"),
        _("Modifiers"),
        _("Units"),
        _("Diagnosis"),
        _("Fee"),
    ]
    rows = [header]
    for service_date in bill.dates:
        for line in service_date.lines:
            rows.append(
                [
                    day(service_date.day),
                    line.code,
                    Paragraph(_text(line.description), small),
                    " ".join(line.modifiers),
                    str(line.units),
                    ", ".join(line.pointers),
                    money(line.fee),
                ]
            )
    if len(rows) == 1:
        rows.append(
            ["", "", Paragraph(_text(_("No services in this period.")), small), "", "", "", ""]
        )
    rows.append(["", "", _("Total charges"), "", "", "", money(bill.charged)])
    columns = [22 * mm, 17 * mm, None, 20 * mm, 12 * mm, 20 * mm, 24 * mm]
    columns[2] = width - sum(c for c in columns if c)
    services = Table(rows, colWidths=columns, repeatRows=1)
    services.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTNAME", (0, -1), (-1, -1), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f4f7")]),
                ("ALIGN", (4, 0), (4, -1), "RIGHT"),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [services, Spacer(1, 5 * mm)]

    totals = Table(
        [
            [_("Total charges"), money(bill.charged)],
            [_("Paid in this period"), money(bill.paid)],
            [_("Account balance today"), money(bill.balance)],
        ],
        colWidths=[width - 40 * mm, 40 * mm],
    )
    totals.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, -1), (-1, -1), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    story += [totals, Spacer(1, 6 * mm)]
    story.append(
        Paragraph(
            _(
                "This is a statement of services and payments for the patient to send to an "
                "insurer; it is not an invoice. Issued on %(today)s."
            )
            % {"today": day(clinic_today())},
            small,
        )
    )
    document.build(story)
    return buffer.getvalue()


# --- Sending -----------------------------------------------------------------------------------


@transaction.atomic
def email_superbill(patient: Patient, start: dt.date, end: dt.date) -> None:
    """Queue the superbill for ``patient`` as an e-mail attachment in the outbox."""
    if not patient.email:
        raise BillingError(_("This patient has no e-mail address; download the superbill instead."))
    bill = superbill_for(patient, start, end)
    if not bill.lines:
        raise BillingError(_("There are no services in this period to put on a superbill."))
    content = render_pdf(bill)
    subject = _("Your superbill from %(practice)s") % {"practice": bill.practice_name}
    body = _(
        "Hello %(name)s,\n\nattached is the superbill for your visits from %(start)s to "
        "%(end)s, for you to send to your insurer.\n\n%(practice)s"
    ) % {
        "name": patient.first_name,
        "start": date_text(start, "short"),
        "end": date_text(end, "short"),
        "practice": bill.practice_name,
    }
    queue_email(
        to=patient.email,
        subject=subject,
        body=body,
        attachments=[(bill.filename, content, "application/pdf")],
        kind="superbill",
        patient=patient,
        sender_name=bill.practice_name,
    )
