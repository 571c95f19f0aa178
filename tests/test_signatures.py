"""The drawn signature, the signing form's name and the signed PDF, shared by every signed
document."""

import datetime as dt
import io
import zoneinfo

import pytest
from pypdf import PdfReader

from sotclinic.signatures import (
    SignatureRefused,
    clean_full_name,
    clean_signature_svg,
    document_sha256,
    signed_document_pdf,
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
    '<path d="M10 100 L40 60 L80 140 L120 50"/><path d="M200 100 L260 100"/></svg>'
)


@pytest.mark.parametrize(
    "svg",
    [
        "",
        "<svg></svg>",
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200"><path d="M1 1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        '<path d="M1 1 L2 2" onload="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        '<script>alert(1)</script><path d="M1 1 L2 2"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        '<path d="M1 1 C2 2 3 3 4 4"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        '<image href="x"/><path d="M1 1 L2 2"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 200"><path d="M1 1 L2 2"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        + '<path d="M1 1 L2 2"/>' * 201
        + "</svg>",
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200"><path d="M1 1'
        + " L2 2" * 5000
        + '"/></svg>',
        None,
    ],
)
def test_anything_but_an_svg_of_simple_paths_is_refused(svg):
    with pytest.raises(SignatureRefused, match="Draw your signature") as refused:
        clean_signature_svg(svg)
    assert refused.value.field == "signature"


def test_the_stored_svg_is_rebuilt_from_the_numbers():
    cleaned = clean_signature_svg(SVG.replace("><path", ">\n  <path"))
    assert cleaned.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200" ')
    assert '<path d="M10 100 L40 60 L80 140 L120 50"/><path d="M200 100 L260 100"/>' in cleaned


@pytest.mark.parametrize("name", ["", " O ", "x" * 201])
def test_a_name_too_short_or_too_long_is_refused(name):
    with pytest.raises(SignatureRefused, match="full name") as refused:
        clean_full_name(name)
    assert refused.value.field == "full_name"


def test_the_signed_pdf_holds_the_text_the_name_and_the_hash_across_pages():
    text = "Consent\n" + "\n".join(f"Line {n}" for n in range(80))
    digest = document_sha256(text)

    pdf = signed_document_pdf(
        title="Signed consent",
        text=text,
        full_name="Olivia Smith",
        signed_at=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        sha256=digest,
        signature_svg=clean_signature_svg(SVG),
        ip_address=None,
        language="en",
        tz=None,
    )

    reader = PdfReader(io.BytesIO(pdf))
    words = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "Line 79" in words and "Signed by: Olivia Smith" in words
    # No clinic clock known: the time is given in UTC, and says so.
    assert "03:04:05 (UTC, UTC)" in words and digest in words.replace("\n", "")


def test_a_signature_block_that_does_not_fit_goes_to_the_next_page():
    text = "Consent\n" + "\n".join(f"Line {n}" for n in range(44))

    pdf = signed_document_pdf(
        title="Signed consent",
        text=text,
        full_name="Olivia Smith",
        signed_at=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        sha256=document_sha256(text),
        signature_svg=clean_signature_svg(SVG),
        ip_address="192.0.2.7",
        language="en",
        tz=zoneinfo.ZoneInfo("Europe/London"),
    )

    first, second = PdfReader(io.BytesIO(pdf)).pages
    assert "Line 43" in first.extract_text() and "Signed by" not in first.extract_text()
    assert "Signed by: Olivia Smith" in second.extract_text()
