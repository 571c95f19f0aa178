"""An import in the background: the chosen file is stored (privately) with an upload row; the
worker checks it and, once staff confirm, imports it. The web request only stores and queues.

Each step is a state transition of the upload row made by one conditional UPDATE, so two
requests (two clicks on "Import") cannot both start an import, and a task finds out whether
the upload moved on (checked again, imported) before it writes. The check keeps nothing
(``importing.check_import``); the import is one transaction with the upload's new status, all
or nothing (``importing.run_import``).

A worker that is stopped in the middle of a step (the queue's timeout, a restart, a crash)
writes nothing more: the step's transaction rolls back and the queue does not run the task
again. ``fail_abandoned`` (a periodic task) marks such an upload failed once the queue has
given the task up, so it can be checked again instead of staying "importing".
"""

import datetime as dt
import logging
from dataclasses import asdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.background import after_commit

from . import reading
from .importing import ImportRequest, ImportResult, RowResult, check_import, run_import
from .models import ImportUpload, UploadStatus

logger = logging.getLogger(__name__)


class UploadRefused(Exception):
    """Why an upload cannot take this step now, for the person who asked, and the answer's
    status (409: it moved on or the columns changed; 422: its check found problems)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def store_upload(by, *, address, kind: str, source: str, text: str, table, mapping) -> ImportUpload:
    """Keep the file and its first mapping; queue the check when the mapping (a bound
    ``MappingForm``) names every required field, else leave the columns to be chosen."""
    upload = ImportUpload(
        uploaded_by=by,
        address=address,
        kind=kind,
        source=source,
        header=table.header,
        rows=len(table.rows),
        status=UploadStatus.MAPPING,
        date_order=mapping.data["date_order"],
    )
    upload.file.save(f"{kind}.csv", ContentFile(text.encode("utf-8")), save=False)
    with transaction.atomic():
        upload.save()
        if mapping.is_valid():
            _queue_check(upload, mapping.cleaned_data, mapping.mapped())
    return upload


def recheck(upload: ImportUpload, cleaned: dict, fields: list[str]) -> None:
    """Check the file again with another mapping (not while it is being imported or after)."""
    with transaction.atomic():
        _queue_check(upload, cleaned, fields)


def _queue_check(upload: ImportUpload, cleaned: dict, fields: list[str]) -> None:
    changed = ImportUpload.objects.filter(
        pk=upload.pk,
        version=upload.version,
        status__in=[UploadStatus.MAPPING, UploadStatus.CHECKED, UploadStatus.FAILED],
    ).update(
        status=UploadStatus.CHECKING,
        version=upload.version + 1,
        fields=fields,
        date_order=cleaned["date_order"],
        accept_outside_hours=cleaned["accept_outside_hours"],
        rows_done=0,
        result=None,
        problems=0,
        message="",
        finished_at=None,
    )
    if not changed:
        raise UploadRefused(_moved_on_message())
    upload.refresh_from_db()
    _after_commit("sotclinic.imports.uploads.check_upload", upload, "check")


def start_import(upload: ImportUpload, version: int, fields: list[str]) -> None:
    """Queue the import of the check staff saw (``version``, with the columns ``fields``);
    refused when the upload moved on since (checked again, already importing or imported),
    when that check found a problem, or when the columns were changed after it."""
    with transaction.atomic():
        started = ImportUpload.objects.filter(
            pk=upload.pk, version=version, status=UploadStatus.CHECKED, problems=0, fields=fields
        )
        if not started.update(status=UploadStatus.IMPORTING, rows_done=0):
            raise _refusal(upload, version)
        upload.refresh_from_db()
        _after_commit("sotclinic.imports.uploads.import_upload", upload, "import")


def _refusal(upload: ImportUpload, version: int) -> "UploadRefused":
    upload.refresh_from_db()
    if upload.version != version or upload.status != UploadStatus.CHECKED:
        return UploadRefused(_moved_on_message())
    if upload.problems:
        return UploadRefused(
            _("The check found problems; nothing is imported until every row is right."),
            status=422,
        )
    return UploadRefused(
        _("The columns were changed after the check; check the file again before importing.")
    )


def _moved_on_message() -> str:
    return _(
        "This file was checked again or imported since this page was shown; nothing was "
        "started. Look at where it stands now."
    )


def _after_commit(task: str, upload: ImportUpload, what: str) -> None:
    after_commit(
        task,
        upload.pk,
        upload.version,
        task_name=f"{what} import upload {upload.pk}",
        group="imports",
    )


def _request(upload: ImportUpload) -> ImportRequest:
    with upload.file.open("rb") as stored:
        text = stored.read().decode("utf-8")
    return ImportRequest(
        kind=upload.kind,
        source=upload.source,
        table=reading.parse(text),
        fields=upload.fields,
        date_order=upload.date_order,
        accept_outside_hours=upload.accept_outside_hours,
    )


def _current(upload_id: int, version: int, status: str):
    """The upload still at this step of this check, or None."""
    return ImportUpload.objects.filter(pk=upload_id, version=version, status=status).first()


def _rows(result: ImportResult) -> list[dict]:
    return [asdict(row) for row in result.rows]


def stored_result(upload: ImportUpload) -> ImportResult | None:
    if upload.result is None:
        return None
    return ImportResult([RowResult(**row) for row in upload.result["rows"]])


def _take_up(upload: ImportUpload, status: str) -> bool:
    """Note that a worker is at the upload's step now (``worked_at``); False if the upload
    moved on from it."""
    return bool(
        ImportUpload.objects.filter(pk=upload.pk, version=upload.version, status=status).update(
            worked_at=timezone.now()
        )
    )


def check_upload(upload_id: int, version: int) -> None:
    """The worker's check: every row tried, nothing kept, its outcome written to the upload
    (unless the upload moved on meanwhile)."""
    upload = _current(upload_id, version, UploadStatus.CHECKING)
    if upload is None or not _take_up(upload, UploadStatus.CHECKING):
        return
    try:
        result = check_import(
            _request(upload),
            by=upload.uploaded_by,
            address=upload.address,
            on_progress=lambda done: _note_progress(upload, done),
        )
    except Exception:
        logger.exception("The check of import upload %s failed", upload_id)
        _fail(upload, UploadStatus.CHECKING, _check_failed())
        return
    ImportUpload.objects.filter(pk=upload.pk, version=version, status=UploadStatus.CHECKING).update(
        status=UploadStatus.CHECKED,
        result={"rows": _rows(result)},
        problems=len(result.problems),
        rows_done=len(result.rows),
        finished_at=timezone.now(),
    )


def _note_progress(upload: ImportUpload, done: int) -> None:
    ImportUpload.objects.filter(
        pk=upload.pk, version=upload.version, status=UploadStatus.CHECKING
    ).update(rows_done=done, worked_at=timezone.now())


def import_upload(upload_id: int, version: int) -> None:
    """The worker's import: every row in one transaction with the upload's new status; a row
    with a problem (the clinic changed since the check) keeps nothing and shows the problems."""
    upload = _current(upload_id, version, UploadStatus.IMPORTING)
    if upload is None or not _take_up(upload, UploadStatus.IMPORTING):
        return
    try:
        with transaction.atomic():
            # Taken up again inside the transaction: the row stays locked until the outcome is
            # written, so `fail_abandoned` cannot mark a running import failed.
            if not _take_up(upload, UploadStatus.IMPORTING):
                return
            result = run_import(
                _request(upload), by=upload.uploaded_by, address=upload.address, commit=True
            )
            ImportUpload.objects.filter(
                pk=upload.pk, version=version, status=UploadStatus.IMPORTING
            ).update(
                status=UploadStatus.IMPORTED if result.committed else UploadStatus.CHECKED,
                result={"rows": _rows(result)},
                problems=len(result.problems),
                rows_done=len(result.rows),
                message=""
                if result.committed
                else _(
                    "The import found problems that the check had not (the clinic's records "
                    "changed meanwhile); nothing was imported. Fix the file and choose it again."
                ),
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("The import of import upload %s failed", upload_id)
        _fail(upload, UploadStatus.IMPORTING, _import_failed())


def _check_failed() -> str:
    return _(
        "Something went wrong on the server while the file was checked; nothing was imported. "
        "Check it again, or ask the clinic's administrator to look at the server's log."
    )


def _import_failed() -> str:
    return _(
        "Something went wrong on the server while the file was imported; nothing was imported "
        "and nothing was changed. Check it again, or ask the clinic's administrator to look at "
        "the server's log."
    )


def _check_abandoned() -> str:
    return _(
        "The check stopped before it was done (the server's background worker was stopped, or "
        "the check took too long); nothing was imported. Check the file again; if it stops "
        "again, split it into smaller files."
    )


def _import_abandoned() -> str:
    return _(
        "The import stopped before it was done (the server's background worker was stopped, or "
        "the import took too long); nothing was imported and nothing was changed. Check the "
        "file again; if it stops again, split it into smaller files."
    )


def abandoned_after() -> dt.timedelta:
    """How long after a worker took up a step the queue has surely given the task up: it
    stops a task after its ``timeout`` and hands a task whose worker vanished to another after
    ``retry`` (which takes it up anew)."""
    return dt.timedelta(seconds=settings.Q_CLUSTER["timeout"] + settings.Q_CLUSTER["retry"])


def fail_abandoned(now: dt.datetime | None = None) -> int:
    """Mark failed the uploads still checking or importing long after a worker took the step
    up (`abandoned_after`): its worker was stopped, and the step's transaction rolled back.
    Steps still waiting for a worker (``worked_at`` None) are left to it. The worker runs this
    every few minutes; returns how many were marked."""
    now = now or timezone.now()
    cutoff = now - abandoned_after()
    marked = 0
    for status, message in (
        (UploadStatus.CHECKING, _check_abandoned()),
        (UploadStatus.IMPORTING, _import_abandoned()),
    ):
        marked += ImportUpload.objects.filter(status=status, worked_at__lt=cutoff).update(
            status=UploadStatus.FAILED, message=message, finished_at=now
        )
    return marked


def _fail(upload: ImportUpload, status: str, message: str) -> None:
    ImportUpload.objects.filter(pk=upload.pk, version=upload.version, status=status).update(
        status=UploadStatus.FAILED, message=message, finished_at=timezone.now()
    )


def purge_old_uploads() -> int:
    """Delete uploads (their stored files and rows) older than ``IMPORT_KEEP_DAYS`` days; the
    worker runs this daily. Returns how many went."""
    cutoff = timezone.now() - dt.timedelta(days=settings.IMPORT_KEEP_DAYS)
    gone = 0
    for upload in ImportUpload.objects.filter(uploaded_at__lt=cutoff).order_by("pk"):
        upload.file.delete(save=False)
        upload.delete()
        gone += 1
    return gone
