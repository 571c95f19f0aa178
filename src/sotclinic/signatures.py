"""Signing a document by hand, shared by every document a patient signs (care plans, consents):
the document's SHA-256, the drawn signature checked and rebuilt as a canonical SVG, the form a
patient signs with (typed full name, drawn signature, the hash of the text shown), and the
signed PDF (reportlab): the text as signed, then the name, the drawing, the time, the client
address and the hash.

This module imports nothing of the project but its errors and the clinic's date and time
formats (which import nothing of it), so every app may use it."""

import datetime as dt
import hashlib
import io
import re
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from sotclinic.append_only import AppendOnlyModel
from sotclinic.clinic_locale import date_text, time_text
from sotclinic.errors import DomainError


class SignatureRefused(DomainError):
    """The typed name or the drawing cannot be taken as a signature."""

    title = gettext_lazy("The document could not be signed")


def document_sha256(text: str) -> str:
    """The SHA-256 (hex) of a document's UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_full_name(full_name: str) -> str:
    """The typed name with its spaces tidied, or SignatureRefused when it is too short or long."""
    full_name = " ".join((full_name or "").split())
    if len(full_name) < 2 or len(full_name) > 200:
        raise SignatureRefused(_("Type your full name."), field="full_name")
    return full_name


# --- The drawn signature -------------------------------------------------------------------

MAX_SVG_CHARS = 60_000
MAX_PATHS = 200
MAX_PATH_CHARS = 20_000
MAX_VIEWBOX = 4000
_NUMBER = r"-?\d{1,5}(?:\.\d{1,2})?"
_POINT = rf"{_NUMBER}[ ,]{_NUMBER}"
_PATH_DATA = re.compile(rf"M\s?{_POINT}(?:\s?[ML]\s?{_POINT})*")
_SVG = re.compile(
    r'<svg xmlns="http://www\.w3\.org/2000/svg" viewBox="0 0 (\d{1,4}) (\d{1,4})"'
    r"(?: [a-z-]+=\"[a-z0-9 #.-]{1,20}\")*>"
    r"((?:\s*<path d=\"[^\"<>]*\"\s*/>)*)\s*</svg>"
)
_PATH = re.compile(r'<path d="([^"<>]*)"\s*/>')
_POINTS = re.compile(_POINT)


def clean_signature_svg(svg: str) -> str:
    """The drawn signature as a canonical SVG, or SignatureRefused: only an ``<svg>`` (with a
    ``viewBox``) of ``<path d="M x y L x y …">`` elements, of bounded size, with at least one
    stroke, is accepted; the stored SVG is rebuilt from the numbers alone."""
    refusal = SignatureRefused(
        _("Draw your signature in the box (the drawing was not received as expected)."),
        field="signature",
    )
    if not isinstance(svg, str) or len(svg) > MAX_SVG_CHARS:
        raise refusal
    match = _SVG.fullmatch(svg.strip())
    if not match:
        raise refusal
    width, height = int(match.group(1)), int(match.group(2))
    if not (1 <= width <= MAX_VIEWBOX and 1 <= height <= MAX_VIEWBOX):
        raise refusal
    paths = _PATH.findall(match.group(3))
    if not 1 <= len(paths) <= MAX_PATHS:
        raise refusal
    cleaned = []
    for data in paths:
        data = data.strip()
        if len(data) > MAX_PATH_CHARS or not _PATH_DATA.fullmatch(data):
            raise refusal
        cleaned.append(data)
    if sum(len(_POINTS.findall(d)) for d in cleaned) < 2:
        raise refusal
    body = "".join(f'<path d="{d}"/>' for d in cleaned)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" fill="none" '
        f'stroke="#000" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
        f"{body}</svg>"
    )


class SigningForm(forms.Form):
    """What the patient gives on a signing page (templates/_signature_fields.html)."""

    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=200)
    signature = forms.CharField(
        widget=forms.HiddenInput,
        max_length=MAX_SVG_CHARS,
        error_messages={"required": gettext_lazy("Draw your signature in the box.")},
    )
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


# --- The signed PDF ------------------------------------------------------------------------

FONT, BOLD, SIZE = "Helvetica", "Helvetica-Bold", 10
MARGIN = 20 * mm
LINE = 14
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_STEP = re.compile(r"([ML])\s?(-?[\d.]+)[ ,](-?[\d.]+)")


def wrap_text(text: str, width: float, font: str = FONT, size: float = SIZE) -> list[str]:
    """The text broken into lines no wider than ``width`` points; paragraphs kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, line = paragraph.split(" "), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and stringWidth(candidate, font, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def draw_signature(pdf: canvas.Canvas, svg: str, x: float, y: float, w: float, h: float) -> None:
    """Draw the signature's paths scaled into the box whose lower left corner is (x, y)."""
    # The SVG was rebuilt by clean_signature_svg: it always has its viewBox.
    vw, vh = (int(n) for n in _VIEWBOX.search(svg).groups())
    scale = min(w / vw, h / vh)
    pdf.setLineWidth(1.2)
    pdf.setLineCap(1)
    pdf.setLineJoin(1)
    for data in _PATH.findall(svg):
        path = pdf.beginPath()
        for command, px, py in _STEP.findall(data):
            point = (x + float(px) * scale, y + h - float(py) * scale)
            (path.moveTo if command == "M" else path.lineTo)(*point)
        pdf.drawPath(path, stroke=1, fill=0)


def signed_document_pdf(
    *,
    title: str,
    text: str,
    full_name: str,
    signed_at: dt.datetime,
    sha256: str,
    signature_svg: str,
    ip_address: str | None,
    language: str,
    tz: zoneinfo.ZoneInfo | None,
) -> bytes:
    """The PDF bytes of a signed document: its first line in bold, the rest of its text, then
    the signature block, labelled in the language it was signed in, with the time of signing
    on the clinic's clock (``tz``; None: UTC). ``title`` (already in that language) is the
    PDF's title."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    with translation.override(language):
        pdf.setTitle(title)
        y = height - MARGIN

        def line(value: str, font: str = FONT) -> None:
            nonlocal y
            if y < MARGIN + LINE:
                pdf.showPage()
                y = height - MARGIN
            pdf.setFont(font, SIZE)
            pdf.drawString(MARGIN, y, value)
            y -= LINE

        body = wrap_text(text.rstrip("\n"), width - 2 * MARGIN)
        line(body[0], BOLD)
        for value in body[1:]:
            line(value)
        y -= LINE
        if y < MARGIN + 8 * LINE + 30 * mm:
            pdf.showPage()
            y = height - MARGIN
        line(_("Signed by: %(name)s") % {"name": full_name}, BOLD)
        box = 30 * mm
        pdf.setStrokeGray(0.6)
        pdf.rect(MARGIN, y - box, 80 * mm, box, stroke=1, fill=0)
        pdf.setStrokeGray(0)
        draw_signature(pdf, signature_svg, MARGIN + 2, y - box + 2, 80 * mm - 4, box - 4)
        y -= box + LINE
        zone = tz or zoneinfo.ZoneInfo("UTC")
        local = signed_at.astimezone(zone)
        line(
            _("Signed at: %(time)s (%(zone)s)")
            % {
                "time": f"{date_text(local, 'medium')} {time_text(local, seconds=True)}",
                "zone": f"{local.tzname()}, {zone.key}",
            }
        )
        line(_("Client address: %(address)s") % {"address": ip_address or "-"})
        line(_("SHA-256 of the document signed:"))
        line(sha256, "Courier")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class Signed:
    """What a signature records: the cleaned name and drawing, the text and its SHA-256, the
    time, and the signed PDF. The caller stores it with what was signed."""

    full_name: str
    signature_svg: str
    text: str
    sha256: str
    signed_at: dt.datetime
    pdf: bytes


def sign_document(
    *,
    text: str,
    shown_sha256: str,
    full_name: str,
    signature_svg: str,
    ip_address: str | None,
    language: str,
    title: str,
    tz: zoneinfo.ZoneInfo | None,
    changed_message: str,
    now: dt.datetime | None = None,
) -> Signed:
    """Take a patient's signature of ``text`` (the document as it is now): the hash of what
    they were shown must match it (else ``SignatureRefused(changed_message)``), the typed name
    and drawing must pass, and the signed PDF is made, labelled in ``language``."""
    full_name = clean_full_name(full_name)
    svg = clean_signature_svg(signature_svg)
    digest = document_sha256(text)
    if shown_sha256 != digest:
        raise SignatureRefused(changed_message, field="signature")
    now = now or timezone.now()
    pdf = signed_document_pdf(
        title=title,
        text=text,
        full_name=full_name,
        signed_at=now,
        sha256=digest,
        signature_svg=svg,
        ip_address=ip_address,
        language=language,
        tz=tz,
    )
    return Signed(full_name, svg, text, digest, now, pdf)


class SignatureRecord(AppendOnlyModel):
    """The stored columns of a hand signature (what ``sign_document`` returns, plus the
    language, the client address and who handed the tablet over); a signed document's own
    model adds what was signed."""

    full_name = models.CharField(gettext_lazy("full name"), max_length=200)
    signature_svg = models.TextField(gettext_lazy("drawn signature (SVG)"))
    language = models.CharField(gettext_lazy("language"), max_length=10)
    document_text = models.TextField(gettext_lazy("document signed"))
    document_sha256 = models.CharField(gettext_lazy("SHA-256 of the document"), max_length=64)
    signed_at = models.DateTimeField(gettext_lazy("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(gettext_lazy("client address"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.BinaryField(gettext_lazy("signed PDF"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.full_name} {self.signed_at:%Y-%m-%d %H:%M}"
