"""The import pages: choose a file, map its columns and see every row's problem, import."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from sotclinic import clinic_locale
from sotclinic.accounts.access import importer_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_aggregate_access
from sotclinic.client_address import client_ip
from sotclinic.refusals import show_on_form

from . import reading, uploads
from .forms import FILE_KINDS, MappingForm, UploadForm
from .importing import (
    CHANGED,
    CREATED,
    LINKED,
    SKIPPED,
    UNCHANGED,
    source_label,
)
from .mapping import PRESETS, guess
from .models import ImportUpload, RecordKind, UploadStatus


@importer_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Step one: what the file holds, which system made it, and the file. The file is read
    and stored here; the worker checks it, and the upload's page shows how far it is."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = reading.read_upload(form.cleaned_data["file"])
            table = reading.parse(text)
        except reading.NotACsvFile as error:
            status = show_on_form(form, error, "file")
        else:
            stored = _store(
                request, form.cleaned_data["kind"], form.cleaned_data["source"], text, table
            )
            return redirect("imports:upload_page", stored.pk)
    else:
        status = 400 if request.method == "POST" else 200
    return render(request, "imports/upload.html", {"form": form}, status=status)


def _store(request: HttpRequest, kind: str, source: str, text: str, table) -> ImportUpload:
    """The mapping the preset or the column names suggest; checked when it names every
    required field."""
    preset = PRESETS.get(source)
    initial = {
        "kind": kind,
        "source": source,
        "date_order": preset.date_order if preset else clinic_locale.current().date_order,
    }
    guessed = guess(kind, source, table.header)
    initial.update({f"column_{index}": name for index, name in enumerate(guessed)})
    mapping = MappingForm(initial, header=table.header, kind=kind)
    return uploads.store_upload(
        request.user,
        address=client_ip(request),
        kind=kind,
        source=source,
        text=text,
        table=table,
        mapping=mapping,
    )


def _own_upload(request: HttpRequest, upload_id: int) -> ImportUpload:
    """One of the signed-in user's own uploads; anyone else's is not found."""
    return get_object_or_404(ImportUpload, pk=upload_id, uploaded_by=request.user)


@importer_required
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Where the upload stands: being checked, checked (every row, the mapping to change,
    Import), being imported, imported or failed. A POST checks again with the mapping, or
    starts the import of the check shown."""
    stored = _own_upload(request, upload_id)
    if request.method == "GET":
        # The rows name people from the other system, some of them patients here already: the
        # page is about the file, so one row for it (each patient imported gets their own).
        log_aggregate_access(request, Action.VIEW_IMPORT, f"import upload {stored.pk}")
        return _upload_page(request, stored, _mapping_form(stored))
    form = MappingForm(request.POST, header=stored.header, kind=stored.kind)
    if not form.is_valid():
        return _upload_page(request, stored, form, status=400)
    try:
        if "import" in request.POST:
            uploads.start_import(stored, _version(request), form.mapped())
        else:
            uploads.recheck(stored, form.cleaned_data, form.mapped())
    except uploads.UploadRefused as refusal:
        stored.refresh_from_db()
        return _upload_page(
            request, stored, _mapping_form(stored), refusal=str(refusal), status=refusal.status
        )
    return redirect("imports:upload_page", stored.pk)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _mapping_form(stored: ImportUpload) -> MappingForm:
    """The mapping the upload was (or will be) checked with."""
    data = {
        "kind": stored.kind,
        "source": stored.source,
        "date_order": stored.date_order,
        "accept_outside_hours": stored.accept_outside_hours,
    }
    fields = stored.fields or guess(stored.kind, stored.source, stored.header)
    data.update({f"column_{index}": name for index, name in enumerate(fields)})
    if not data["accept_outside_hours"]:
        del data["accept_outside_hours"]
    form = MappingForm(data, header=stored.header, kind=stored.kind)
    form.is_valid()
    return form


def _summary(result) -> dict:
    return {
        outcome: result.count(outcome) for outcome in (CREATED, CHANGED, LINKED, UNCHANGED, SKIPPED)
    } | {"problems": len(result.problems), "rows": len(result.rows)}


def _upload_page(request, stored: ImportUpload, form, *, refusal: str = "", status: int = 200):
    result = uploads.stored_result(stored)
    working = stored.status in (UploadStatus.CHECKING, UploadStatus.IMPORTING)
    context = {
        "upload": stored,
        "form": form,
        "kind": stored.kind,
        "kind_label": dict(FILE_KINDS).get(stored.kind, ""),
        "source": source_label(stored.source),
        "rows": stored.rows,
        "result": result,
        "summary": _summary(result) if result else None,
        "appointments": stored.kind == RecordKind.APPOINTMENT,
        "working": working,
        "refusal": refusal,
    }
    template = (
        "imports/done.html" if stored.status == UploadStatus.IMPORTED else "imports/review.html"
    )
    return render(request, template, context, status=status)
