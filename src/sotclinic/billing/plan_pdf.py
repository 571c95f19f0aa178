"""The signed care plan as a PDF (reportlab): the document text as signed, then the typed
name, the drawn signature, the time, the client address and the document's SHA-256."""

import datetime as dt
import io
import re
import zoneinfo

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from sotclinic.clinic_locale import date_text, time_text

FONT, BOLD, SIZE = "Helvetica", "Helvetica-Bold", 10
MARGIN = 20 * mm
LINE = 14
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_PATH = re.compile(r'<path d="([^"]*)"/>')
_STEP = re.compile(r"([ML])\s?(-?[\d.]+)[ ,](-?[\d.]+)")


def _wrap(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, line = paragraph.split(" "), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and stringWidth(candidate, FONT, SIZE) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _draw_signature(pdf: canvas.Canvas, svg: str, x: float, y: float, w: float, h: float):
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


def signed_plan_pdf(
    *,
    text: str,
    full_name: str,
    signed_at: dt.datetime,
    sha256: str,
    signature_svg: str,
    ip_address: str | None,
    language: str,
    tz: zoneinfo.ZoneInfo,
) -> bytes:
    """The PDF bytes of a signed plan, labelled in the language it was signed in, with the
    time of signing on the clock of the clinic location (``tz``)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    with translation.override(language):
        pdf.setTitle(_("Signed care plan"))
        y = height - MARGIN

        def line(value: str, font: str = FONT) -> None:
            nonlocal y
            if y < MARGIN + LINE:
                pdf.showPage()
                y = height - MARGIN
            pdf.setFont(font, SIZE)
            pdf.drawString(MARGIN, y, value)
            y -= LINE

        body = _wrap(text.rstrip("\n"), width - 2 * MARGIN)
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
        _draw_signature(pdf, signature_svg, MARGIN + 2, y - box + 2, 80 * mm - 4, box - 4)
        y -= box + LINE
        local = signed_at.astimezone(tz)
        line(
            _("Signed at: %(time)s (%(zone)s)")
            % {
                "time": f"{date_text(local, 'medium')} {time_text(local, seconds=True)}",
                "zone": f"{local.tzname()}, {tz.key}",
            }
        )
        line(_("Client address: %(address)s") % {"address": ip_address or "-"})
        line(_("SHA-256 of the document signed:"))
        line(sha256, "Courier")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
