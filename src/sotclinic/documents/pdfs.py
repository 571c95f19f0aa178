"""Letters and records as PDFs (reportlab, as the invoices and signed plans): a referral
letter, a signed note, and the patient's whole record in one file. Each is built from the
stored rows only, so the same rows give the same bytes."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from sotclinic.charting.diagnosis_codes import stored_codes
from sotclinic.charting.models import Note
from sotclinic.clinic_locale import date_text
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Location
from sotclinic.signatures import BOLD, FONT, wrap_text

from .models import ReferralLetter
from .selectors import letters_for, note_category, signed_consents

SIZE, LINE, MARGIN = 10, 14, 20 * mm


class _Pages:
    """Lines of text down A4 pages, a new page when one is full."""

    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=A4, invariant=1)
        self.pdf.setTitle(title)
        self.width, self.height = A4
        self.y = self.height - MARGIN

    def text(self, value: str, font: str = FONT, size: float = SIZE) -> None:
        for line in wrap_text(value, self.width - 2 * MARGIN, font, size):
            if self.y < MARGIN + LINE:
                self.pdf.showPage()
                self.y = self.height - MARGIN
            self.pdf.setFont(font, size)
            self.pdf.drawString(MARGIN, self.y, line)
            self.y -= LINE * size / SIZE

    def heading(self, value: str, size: float = 12) -> None:
        self.gap()
        self.text(value, BOLD, size)

    def field(self, label: str, value: str) -> None:
        if value and value.strip():
            self.text(f"{label}: {value.strip()}")

    def gap(self) -> None:
        self.y -= LINE / 2

    def bytes(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def _person(user) -> str:
    practitioner = getattr(user, "practitioner", None)
    return (
        (practitioner.display_name if practitioner else "")
        or user.get_full_name()
        or (user.get_username())
    )


def _letterhead(pages: _Pages) -> None:
    location = Location.objects.order_by("pk").first()
    if location is not None:
        pages.text(location.name, BOLD, 12)
        for line in (location.address, location.phone, location.email):
            if line:
                pages.text(line)
        pages.gap()


def _addenda(pages: _Pages, addenda) -> None:
    for addendum in addenda:
        pages.heading(
            _("Addendum by %(author)s on %(date)s")
            % {"author": _person(addendum.author), "date": date_text(addendum.created_at)},
            SIZE,
        )
        pages.text(addendum.text)


def _letter(pages: _Pages, letter: ReferralLetter) -> None:
    pages.text(date_text(letter.signed_at or letter.updated_at))
    pages.gap()
    for line in letter.recipient.splitlines():
        pages.text(line)
    pages.gap()
    pages.text(letter.body)
    pages.gap()
    if letter.is_signed:
        pages.text(_person(letter.signed_by), BOLD)
        pages.text(_("Signed electronically on %(date)s") % {"date": date_text(letter.signed_at)})
    else:
        pages.text(_("DRAFT: not signed"), BOLD)
    _addenda(pages, letter.addenda.select_related("author"))


def letter_pdf(letter: ReferralLetter) -> bytes:
    """The letter on the clinic's letterhead; a draft says so."""
    pages = _Pages(_("Referral letter"))
    _letterhead(pages)
    _letter(pages, letter)
    return pages.bytes()


def _note(pages: _Pages, note: Note) -> None:
    visit = note.visit
    pages.heading(
        _("Visit on %(date)s with %(practitioner)s")
        % {"date": date_text(visit.started_at), "practitioner": visit.practitioner.display_name}
    )
    pages.field(_("Complaints"), note.complaints)
    if note.pain_score is not None:
        pages.field(_("Pain (0-10)"), str(note.pain_score))
    pages.field(_("Findings"), note.objective)
    pages.field(_("SOT category"), note_category(note))
    pages.field(_("Assessment"), note.assessment)
    codes = ", ".join(stored_codes(note.diagnosis_codes))
    pages.field(_("Diagnosis codes"), codes)
    pages.field(_("Visit frequency"), note.visit_frequency)
    if note.next_visit:
        pages.field(_("Next visit"), date_text(note.next_visit))
    pages.field(_("Home advice"), note.home_advice)
    if note.is_signed:
        pages.text(
            _("Signed by %(name)s on %(date)s")
            % {"name": _person(note.signed_by), "date": date_text(note.signed_at)}
        )
    else:
        pages.text(_("DRAFT: not signed"), BOLD)
    _addenda(pages, note.addenda.select_related("author"))


def _patient_head(pages: _Pages, patient: Patient) -> None:
    pages.text(patient.full_name, BOLD, 14)
    pages.text(_("Born %(date)s") % {"date": date_text(patient.date_of_birth)})


def note_pdf(note: Note) -> bytes:
    """A signed note with its addenda."""
    pages = _Pages(_("Visit note"))
    _letterhead(pages)
    _patient_head(pages, note.visit.patient)
    _note(pages, note)
    return pages.bytes()


def record_pdf(patient: Patient) -> bytes:
    """The patient's whole record: details, red flags, every visit's note with its addenda,
    letters, the documents kept and the consents signed."""
    from sotclinic.intake.selectors import red_flags

    pages = _Pages(_("Patient record"))
    _letterhead(pages)
    _patient_head(pages, patient)
    pages.field(_("Address"), patient.address)
    pages.field(_("Phone"), patient.phone)
    pages.field(_("E-mail"), patient.email)
    pages.heading(_("Red flags"))
    flags = list(red_flags(patient))
    for flag in flags:
        handled = (
            _("handled on %(date)s: %(handling)s")
            % {"date": date_text(flag.handled_at), "handling": flag.get_handling_display()}
            if flag.handled_at
            else _("not yet handled")
        )
        pages.text(f"- {flag.title}, {date_text(flag.raised_at)}: {handled}")
    if not flags:
        pages.text(_("None recorded."))
    pages.heading(_("Visits"))
    notes = (
        Note.objects.filter(visit__patient=patient)
        .select_related("visit__practitioner", "visit__patient", "exam", "signed_by")
        .order_by("visit__started_at", "pk")
    )
    for note in notes:
        _note(pages, note)
    if not notes:
        pages.text(_("No visit is recorded yet."))
    for letter in letters_for(patient).order_by("created_at", "pk"):
        pages.heading(_("Referral letter"))
        _letter(pages, letter)
    pages.heading(_("Documents kept"))
    for document in patient.documents.order_by("uploaded_at", "pk"):
        pages.text(
            f"- {document.title} ({document.get_kind_display()}, {document.original_name}, "
            f"{date_text(document.uploaded_at)}, SHA-256 {document.sha256})"
        )
    pages.heading(_("Consents signed"))
    for signature in signed_consents(patient).select_related("consent"):
        pages.text(
            f"- {signature.consent.title}: {signature.full_name}, "
            f"{date_text(signature.signed_at)}, SHA-256 {signature.document_sha256}"
        )
    return pages.bytes()
