import pytest

from sotclinic.documents.content import detect

from .files import EXE, JPEG, PNG, pdf_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf_bytes(), ("application/pdf", ".pdf")),
        (PNG, ("image/png", ".png")),
        (JPEG, ("image/jpeg", ".jpg")),
    ],
)
def test_a_kept_kind_is_known_by_its_first_bytes(data, expected):
    assert detect(data[:8]) == expected


@pytest.mark.parametrize("data", [EXE, b"", b"%PD", b"<html>%PDF-", b"GIF89a", b"PK\x03\x04"])
def test_anything_else_is_unknown_whatever_it_is_called(data):
    assert detect(data[:8]) is None
