"""Reading an uploaded export: its encoding, its delimiter, its size, and the file carried
from the preview to the import (compressed into the form, so nothing is kept on the server
between the two steps)."""

import codecs
import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sotclinic.errors import DomainError

MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
# Signatures of files people pick instead of the CSV: spreadsheets, PDFs, archives, images.
_BINARY_STARTS = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


class NotACsvFile(DomainError):
    status_code = 400


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, values)


def _not_csv() -> NotACsvFile:
    return NotACsvFile(
        _(
            "This is not a CSV file. In the old system, export the list as CSV "
            "(comma-separated values) and choose that file."
        )
    )


def decode(raw: bytes) -> str:
    """The text of the file: UTF-8 (with or without a byte-order mark), UTF-16 with its mark,
    else Windows-1252 / Latin-1, which is what spreadsheets on Windows save."""
    if raw.startswith(_BINARY_STARTS):
        raise _not_csv()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_csv() from error
    if b"\x00" in raw:
        raise _not_csv()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def read_upload(upload) -> str:
    """The text of an uploaded file, refusing one that is too large, empty or not a CSV."""
    if upload.size > MAX_BYTES:
        raise NotACsvFile(
            _("The file is larger than %(limit)s MB. Split it into smaller files and import each.")
            % {"limit": MAX_BYTES // 1_000_000}
        )
    text = decode(upload.read())
    parse(text)  # refuses what cannot be read as a table before the mapping step
    return text


def parse(text: str) -> Table:
    """The header and the non-empty rows, with their line numbers (the header is line 1)."""
    if not text.strip():
        raise NotACsvFile(_("The file is empty."))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [name.strip() for name in next(reader)]
        rows = []
        for values in reader:
            if any(value.strip() for value in values):
                rows.append((reader.line_num, values))
            if len(rows) > MAX_ROWS:
                raise NotACsvFile(
                    _("The file has more than %(limit)s rows. Split it and import each part.")
                    % {"limit": MAX_ROWS}
                )
    except csv.Error as error:
        raise _not_csv() from error
    if len(header) < 2 or not any(header):
        raise _not_csv()
    return Table(header, rows)
