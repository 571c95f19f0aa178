"""Chart and visit pages for practitioners. Every view of a chart or visit writes an audit row."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import practitioner_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.client_address import client_ip
from sotclinic.clinic_locale import current as current_locale
from sotclinic.clinic_locale import time_text
from sotclinic.intake import services as intake_services
from sotclinic.intake.precautions import default_precautions
from sotclinic.intake.selectors import patient_with_red_flag_state, visit_precautions
from sotclinic.patients.models import Patient
from sotclinic.query_params import page_param
from sotclinic.refusals import refused_back_to
from sotclinic.scheduling.models import Appointment

from . import selectors, services
from .diagnosis_codes import describe, search_diagnosis_codes
from .errors import CannotSign, ChartingError, InvalidDraft, NoteSigned, StaleDraft
from .exam import exam_context, parse_exam_post
from .forms import AddendumForm, NoteForm
from .models import Visit

EXAM_PREFIX = "exam"


def parse_exam(data) -> tuple[dict | None, dict[str, str]]:
    return parse_exam_post(data, prefix=EXAM_PREFIX)


def _visit(visit_id: int) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related(
            "patient",
            "practitioner",
            "appointment__appointment_type",
            "appointment__location",
            "note__exam",
            "note__procedures",
            "note__signed_by",
            "note__updated_by",
            "note__copied_from__visit",
        ),
        pk=visit_id,
    )


@practitioner_required
@require_GET
def chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_with_red_flag_state(patient_id)
    if patient is None:
        raise Http404
    overview = selectors.chart_overview(patient.pk)
    pages = max(1, -(-overview.total // selectors.TIMELINE_PAGE))
    page = page_param(request.GET, last=pages)
    rows = selectors.chart_timeline(patient.pk, page)
    log_access(request, patient, Action.VIEW_CHART, f"chart page {page}")
    context = {
        "patient": patient,
        "rows": rows,
        "total": overview.total,
        "page": page,
        "pages": pages,
        "sparkline": selectors.pain_sparkline(overview.pain_series),
        "unsigned": overview.unsigned,
        "visit_url": reverse("charting:visit", args=[0]).removesuffix("0/"),
    }
    return render(request, "charting/chart.html", context)


@practitioner_required
@require_POST
def start_appointment_visit(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner"), pk=appointment_id
    )
    visit = services.start_visit(request.user, appointment=appointment, address=client_ip(request))
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
@require_POST
@refused_back_to(lambda request, appointment_id: reverse("home"))
def start_appointment_visit_from_last(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner"), pk=appointment_id
    )
    visit, copied = services.start_visit_with_last_findings(
        request.user, appointment, address=client_ip(request)
    )
    if copied:
        messages.success(
            request, _("Findings copied from the last visit. Review them before signing.")
        )
    elif services.previous_visit_with_exam(visit) is None:
        messages.info(request, _("No earlier visit has exam findings to copy; the draft is empty."))
    else:
        messages.info(
            request, _("This visit's draft had already been saved, so nothing was copied into it.")
        )
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
@require_POST
@refused_back_to(lambda request, patient_id: reverse("charting:chart", args=[patient_id]))
def start_walk_in(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    visit = services.start_visit(request.user, patient=patient, address=client_ip(request))
    return redirect("charting:visit", visit_id=visit.pk)


def _render_visit(request, visit, form, *, status=200, conflict=None, exam_state=None, errors=None):
    note = visit.note
    state = exam_state if exam_state is not None else note.exam.state
    context = {
        "visit": visit,
        "patient": visit.patient,
        "note": note,
        "exam": note.exam,
        "procedures": note.procedures,
        "form": form,
        "exam_state": state or None,
        "exam_prefix": EXAM_PREFIX,
        "exam_rows": selectors.exam_rows(state),
        "dx": describe(note.diagnosis_codes),
        "suggestion": selectors.describe_suggestion(note.exam.suggestion, note.exam.state),
        "exam_record": selectors.describe_exam_record(note.exam.state),
        "tz": selectors.visit_time_zone(visit),
        "exam_errors": errors or {},
        "conflict": conflict,
        "conflict_dx": describe(getattr(conflict, "diagnosis_codes", None) or []),
        "previous": None if note.is_signed else services.previous_visit_with_exam(visit),
        "addendum_form": AddendumForm(),
        "addenda": list(note.addenda.select_related("author")) if note.is_signed else [],
        **exam_context(state or None, EXAM_PREFIX, errors=errors),
        "overdue": not note.is_signed and visit.started_at < timezone.now() - dt.timedelta(days=1),
        "may_sign": services.may_sign(visit, request.user),
        "signer_message": services.not_the_signer_message(visit),
    }
    context["precautions"] = visit_precautions(visit.pk, _suggested_position(context))
    context["precaution_choices"] = [(p.code, p.label) for p in default_precautions().values()]
    return render(request, "charting/visit.html", context, status=status)


def _suggested_position(context: dict) -> str | None:
    analysis = (context.get("exam_screen") or {}).get("analysis") or {}
    return (analysis.get("protocol") or {}).get("position")


@practitioner_required
@require_POST
def acknowledge_precaution(request: HttpRequest, visit_id: int, precaution_id: int):
    """A practitioner records that they have seen a precaution at this visit."""
    visit = _visit(visit_id)
    try:
        ack = intake_services.acknowledge_precaution(precaution_id, visit.pk, request.user)
    except intake_services.PrecautionInvalid as error:
        log_access(request, visit.patient, Action.EDIT_REFUSED, f"visit {visit.pk}")
        messages.error(request, error.message)
        form = None if visit.note.is_signed else NoteForm.for_note(visit.note)
        return _render_visit(request, visit, form, status=error.status_code)
    log_access(
        request,
        visit.patient,
        Action.ACKNOWLEDGE_PRECAUTION,
        f"visit {visit.pk} precaution {ack.precaution.code}",
    )
    messages.success(request, _("Precaution acknowledged for this visit."))
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
@require_POST
def record_precaution(request: HttpRequest, visit_id: int):
    """Record or update a precaution (e.g. pregnancy weeks) from the visit page."""
    visit = _visit(visit_id)
    try:
        record = intake_services.record_precaution(
            visit.patient_id,
            request.POST.get("code", ""),
            request.user,
            present=request.POST.get("present", "yes") != "no",
            weeks=request.POST.get("weeks", "").strip(),
            visit_id=visit.pk,
        )
    except intake_services.PrecautionInvalid as error:
        log_access(request, visit.patient, Action.EDIT_REFUSED, f"visit {visit.pk}")
        messages.error(request, error.message)
        form = None if visit.note.is_signed else NoteForm.for_note(visit.note)
        return _render_visit(request, visit, form, status=error.status_code)
    log_access(
        request,
        visit.patient,
        Action.RECORD_PRECAUTION,
        f"visit {visit.pk} precaution {record.code}",
    )
    messages.success(request, _("Precaution recorded."))
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
def visit_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    note = visit.note
    if request.method != "POST":
        log_access(request, visit.patient, Action.VIEW_VISIT, f"visit {visit.pk}")
        return _render_visit(request, visit, None if note.is_signed else NoteForm.for_note(note))

    action = request.POST.get("action", "save")
    address = client_ip(request)
    if note.is_signed:
        log_access(request, visit.patient, Action.EDIT_REFUSED, f"visit {visit.pk}")
        messages.error(request, NoteSigned.message)
        return _render_visit(request, visit, None, status=409)
    if action == "copy_forward":
        return _copy_forward(request, visit)

    form = NoteForm(request.POST, note=visit.note)
    exam_state, exam_errors = parse_exam(request.POST)
    if action == "sign" and not services.may_sign(visit, request.user):
        # Nothing is saved: the person keeps their text and can save it as a draft instead.
        messages.error(request, services.not_the_signer_message(visit))
        return _render_visit(request, visit, form, status=403, exam_state=exam_state)
    if not form.is_valid() or exam_errors:
        return _render_visit(
            request, visit, form, status=400, exam_state=exam_state, errors=exam_errors
        )
    version = form.cleaned_data["version"]
    try:
        note = services.save_draft(
            note.pk, request.user, version, form.content(exam_state), address
        )
        if action == "sign":
            services.sign_note(
                note.pk,
                request.user,
                note.version,
                address,
                shown_suggestion=request.POST.get(f"{EXAM_PREFIX}-shown"),
            )
            messages.success(
                request, _("Note signed. It can no longer change; add addenda instead.")
            )
        else:
            messages.success(request, _("Draft saved."))
    except ChartingError as error:
        return _visit_refused(request, visit, form, error, exam_state)
    return redirect("charting:visit", visit_id=visit.pk)


def _visit_refused(request, visit, form, error: ChartingError, exam_state) -> HttpResponse:
    """The visit page again after the service refused a save or a signature."""
    if isinstance(error, StaleDraft):
        # Keep the person's own text in the form, and let a second save replace the other one.
        data = request.POST.copy()
        data["version"] = error.current.version
        return _render_visit(
            request,
            visit,
            NoteForm(data, note=visit.note),
            status=error.status_code,
            conflict=error.current,
            exam_state=exam_state,
        )
    messages.error(request, error.message)
    if isinstance(error, CannotSign):  # the draft is saved; only the signature was refused
        return redirect("charting:visit", visit_id=visit.pk)
    if isinstance(error, InvalidDraft):
        for field, message in error.errors.items():
            if field in form.fields:
                form.add_error(field, message)
        return _render_visit(
            request,
            visit,
            form,
            status=error.status_code,
            exam_state=exam_state,
            errors=error.errors,
        )
    fresh = _visit(visit.pk)  # signed, or not this person's to change: show it as it is now
    form = None if fresh.note.is_signed else NoteForm.for_note(fresh.note)
    return _render_visit(request, fresh, form, status=error.status_code)


def _autosave_refused(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"saved": False, "message": message, **extra}, status=status)


@practitioner_required
@require_POST
def autosave(request: HttpRequest, visit_id: int) -> JsonResponse:
    """Save the visit page's draft in the background; the answer is JSON for the page's script.

    The same form, parser and ``save_draft`` as "Save draft", so the version check still turns
    two open tabs into a visible conflict instead of one silently replacing the other.
    """
    visit = _visit(visit_id)
    tz = ZoneInfo(selectors.visit_time_zone(visit))
    if visit.note.is_signed:
        return _autosave_refused(NoteSigned.message, 409, signed=True)
    form = NoteForm(request.POST, note=visit.note)
    exam_state, exam_errors = parse_exam(request.POST)
    if not form.is_valid() or exam_errors:
        errors = {name: " ".join(problems) for name, problems in form.errors.items()}
        return _autosave_refused(
            "Not saved automatically: some entries need a look.", 400, errors=errors | exam_errors
        )
    try:
        note = services.save_draft(
            visit.note.pk,
            request.user,
            form.cleaned_data["version"],
            form.content(exam_state),
            client_ip(request),
        )
    except ChartingError as error:
        return _autosave_refusal(error, tz)
    return JsonResponse(
        {
            "saved": True,
            "version": note.version,
            "message": _("Draft saved automatically at %(time)s.")
            % {"time": time_text(timezone.localtime(note.updated_at, tz), seconds=True)},
        }
    )


def _autosave_refusal(error: ChartingError, tz) -> JsonResponse:
    if isinstance(error, StaleDraft):
        other = error.current
        who = other.updated_by.get_full_name() or other.updated_by.username
        return _autosave_refused(
            _(
                "Not saved: %(who)s saved version %(version)s of this note at %(time)s (in "
                "another tab or on another screen). Press Save draft to compare the two versions."
            )
            % {
                "who": who,
                "version": other.version,
                "time": time_text(timezone.localtime(other.updated_at, tz), seconds=True),
            },
            error.status_code,
            conflict=True,
        )
    if isinstance(error, InvalidDraft):
        return _autosave_refused(
            _("Not saved automatically: %(reasons)s")
            % {"reasons": " ".join(error.errors.values() or [error.message])},
            error.status_code,
            errors=error.errors,
        )
    extra = {"signed": True} if isinstance(error, NoteSigned) else {}
    return _autosave_refused(error.message, error.status_code, **extra)


def _copy_forward(request: HttpRequest, visit: Visit) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.copy_forward(visit.note.pk, request.user, version, client_ip(request))
    except ChartingError as error:
        if isinstance(error, StaleDraft):
            return _render_visit(
                request,
                visit,
                NoteForm.for_note(error.current),
                status=error.status_code,
                conflict=error.current,
            )
        messages.error(request, error.message)
        return redirect("charting:visit", visit_id=visit.pk)
    messages.success(request, _("Findings copied from the last visit. Review them before signing."))
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
@require_POST
@refused_back_to(lambda request, visit_id: reverse("charting:visit", args=[visit_id]))
def add_addendum(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        services.add_addendum(
            visit.note.pk, request.user, form.cleaned_data["text"], client_ip(request)
        )
        messages.success(request, _("Addendum added."))
    else:
        messages.error(request, _("Write the addendum first."))
    return redirect("charting:visit", visit_id=visit.pk)


@practitioner_required
@require_GET
def diagnosis_search(request: HttpRequest) -> HttpResponse:
    results = search_diagnosis_codes(request.GET.get("q", ""), current_locale().diagnosis_codes)
    return render(request, "charting/_dx_results.html", {"results": results})


@practitioner_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("all") != "1"
    practitioner = getattr(request.user, "practitioner", None) if mine else None
    notes = selectors.unsigned_notes_due(practitioner)
    return render(request, "charting/todo.html", {"notes": notes, "mine": mine})
