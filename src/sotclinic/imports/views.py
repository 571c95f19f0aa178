"""The import pages: choose a file, map its columns and see every row's problem, import."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from sotclinic import clinic_locale
from sotclinic.accounts.access import importer_required
from sotclinic.client_address import client_ip
from sotclinic.refusals import show_on_form

from . import reading
from .forms import FILE_KINDS, MappingForm, UploadForm
from .importing import (
    CHANGED,
    CREATED,
    LINKED,
    SKIPPED,
    UNCHANGED,
    ImportRequest,
    run_import,
    source_label,
)
from .mapping import PRESETS, guess
from .models import RecordKind


@importer_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Step one: what the file holds, which system made it, and the file."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = reading.read_upload(form.cleaned_data["file"])
        except reading.NotACsvFile as error:
            status = show_on_form(form, error, "file")
        else:
            return _first_check(
                request, form.cleaned_data["kind"], form.cleaned_data["source"], text
            )
    else:
        status = 400 if request.method == "POST" else 200
    return render(request, "imports/upload.html", {"form": form}, status=status)


def _first_check(request: HttpRequest, kind: str, source: str, text: str) -> HttpResponse:
    """The mapping the preset or the column names suggest, checked straight away."""
    table = reading.parse(text)
    preset = PRESETS.get(source)
    initial = {
        "kind": kind,
        "source": source,
        "content": reading.pack(text),
        "date_order": preset.date_order if preset else clinic_locale.current().date_order,
    }
    guessed = guess(kind, source, table.header)
    initial.update({f"column_{index}": name for index, name in enumerate(guessed)})
    # Checked with the guessed mapping when it names every required field.
    form = MappingForm(initial, header=table.header, kind=kind)
    result = _run(request, form, table, commit=False) if form.is_valid() else None
    return _review_page(request, form, table, result)


@importer_required
@require_POST
def review(request: HttpRequest) -> HttpResponse:
    """Step two: check the file with the mapping (nothing is kept), or import it (all rows or
    none)."""
    text = reading.unpack(request.POST.get("content", ""))
    table = reading.parse(text)
    kind = request.POST.get("kind")
    form = MappingForm(
        request.POST,
        header=table.header,
        kind=kind if kind in RecordKind.values else RecordKind.PATIENT,
    )
    if not form.is_valid():
        return _review_page(request, form, table, None, status=400)
    result = _run(request, form, table, commit="import" in request.POST)
    if result.committed:
        return render(
            request,
            "imports/done.html",
            {
                "summary": _summary(result),
                "kind": form.cleaned_data["kind"],
                "source": source_label(form.cleaned_data["source"]),
            },
        )
    status = 422 if "import" in request.POST else 200
    return _review_page(request, form, table, result, status=status)


def _run(request: HttpRequest, form: MappingForm, table, *, commit: bool):
    data = form.cleaned_data
    return run_import(
        ImportRequest(
            kind=data["kind"],
            source=data["source"],
            table=table,
            fields=form.mapped(),
            date_order=data["date_order"],
            accept_outside_hours=data["accept_outside_hours"],
        ),
        by=request.user,
        address=client_ip(request),
        commit=commit,
    )


def _summary(result) -> dict:
    return {
        outcome: result.count(outcome) for outcome in (CREATED, CHANGED, LINKED, UNCHANGED, SKIPPED)
    } | {"problems": len(result.problems), "rows": len(result.rows)}


def _review_page(request, form, table, result, status: int = 200) -> HttpResponse:
    kind, source = form.data.get("kind"), form.data.get("source", "")
    context = {
        "form": form,
        "kind": kind,
        "kind_label": dict(FILE_KINDS).get(kind, ""),
        "source": source_label(source),
        "rows": len(table.rows),
        "result": result,
        "summary": _summary(result) if result else None,
        "appointments": kind == RecordKind.APPOINTMENT,
    }
    return render(request, "imports/review.html", context, status=status)
