"""What a file is, read from its first bytes, never from its name.

The clinic keeps three kinds of file: PDF, PNG and JPEG. Each has a fixed signature at the
start of the file, set by its specification (PDF: ``%PDF-``, ISO 32000; PNG: the 8-byte
signature, RFC 2083; JPEG: the SOI marker ``FF D8`` followed by a marker ``FF``). A general
detection library would recognise hundreds of kinds that are refused anyway, so this small
table is the whole check."""

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
HEAD_BYTES = max(len(magic) for magic, _, _ in SIGNATURES)
ACCEPTED = ".pdf, .png, .jpg, .jpeg, application/pdf, image/png, image/jpeg"


def detect(head: bytes) -> tuple[str, str] | None:
    """(content type, file extension) of a file starting with ``head``, or None when it is
    none of the kinds the clinic keeps."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None
