"""The private document store: a directory outside the static and media roots, so no web
server serves it; its files are read only through the access-checked download views."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """File storage without URLs: asking for a public URL of a patient's document is a bug."""

    def url(self, name):
        raise NotImplementedError("Documents have no public URL; use the download view.")


def document_storage() -> PrivateStorage:
    """The store under ``settings.DOCUMENTS_ROOT`` (read per call, so tests can move it)."""
    return PrivateStorage(
        location=settings.DOCUMENTS_ROOT,
        directory_permissions_mode=0o700,
        file_permissions_mode=0o600,
    )
