"""The exam screen (standalone, nothing saved), its live analysis, and the protocol settings."""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotclinic.accounts.access import practitioner_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.intake.selectors import visit_precautions
from sotclinic.sot import FindingsError, ProtocolTableError

from . import cmrt_levels_form, protocol_form
from .screen import exam_context
from .selectors import (
    cmrt_area_levels_history,
    current_cmrt_area_levels,
    current_protocol_table,
    latest_cmrt_area_levels,
    latest_protocol_override,
    protocol_table_history,
)
from .services import (
    CmrtLevelsConflict,
    reset_protocol_table,
    save_cmrt_area_levels,
    save_protocol_table,
)
from .state import parse_exam_post

_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


@practitioner_required
@require_http_methods(["GET", "POST"])
def new_exam(request: HttpRequest) -> HttpResponse:
    """A blank exam to work through at the table; posting re-analyses without JavaScript."""
    state, errors = parse_exam_post(request.POST) if request.method == "POST" else (None, {})
    status = 400 if errors else 200
    return render(request, "exam/new.html", exam_context(state, errors=errors), status=status)


@practitioner_required
@require_POST
def analyze_partial(request: HttpRequest) -> HttpResponse:
    """The analysis panel for the posted exam fields (htmx swaps it in as findings change)."""
    prefix = request.GET.get("prefix", "exam")
    if not _PREFIX.match(prefix):
        return HttpResponseBadRequest("Unknown exam form.")
    state, errors = parse_exam_post(request.POST, prefix)
    context = exam_context(state, prefix, errors=errors)
    # The re-check list follows the positive indicators, except while it is being filled in.
    context["swap_recheck"] = request.POST.get(f"{prefix}-changed") != "recheck"
    # A page that shows the suggestion outside the panel (the visit's Assessment) asks for it.
    context["swap_summary"] = f"{prefix}-summary" in request.POST
    visit_id = request.POST.get(f"{prefix}-visit", "")
    if visit_id.isdigit():
        analysis = context["exam_screen"]["analysis"] or {}
        position = (analysis.get("protocol") or {}).get("position")
        context["precautions"] = visit_precautions(int(visit_id), position)
        if context["precautions"]:
            log_access(
                request,
                context["precautions"][0].record.patient_id,
                Action.VIEW_PRECAUTIONS,
                f"visit {visit_id}",
            )
    return render(request, "exam/_analysis_response.html", context)


@practitioner_required
@require_http_methods(["GET", "POST"])
def protocol_settings(request: HttpRequest) -> HttpResponse:
    """Edit the clinic's block-placement table; every save is kept as a new version."""
    if request.method == "POST" and cmrt_levels_form.SUBMIT_FIELD in request.POST:
        return _save_cmrt_levels(request)
    table = current_protocol_table()
    values, errors, problems = protocol_form.values_from_table(table), {}, []
    if request.method == "POST" and "reset" in request.POST:
        reset_protocol_table(request.user)
        messages.success(request, _("The shipped default protocol table is in force again."))
        return redirect("exam:settings")
    if request.method == "POST":
        raw, rows_of = protocol_form.table_from_values(request.POST, table)
        try:
            save_protocol_table(raw, request.user)
        except ProtocolTableError as error:
            values = request.POST
            for path, message in error.errors:
                field = protocol_form.field_for_error_path(path, rows_of)
                if field:
                    errors.setdefault(field, message[:1].upper() + message[1:] + ".")
                else:
                    problems.append(f"{path}: {message}")
        else:
            messages.success(request, _("Protocol table saved. It is used from the next analysis."))
            return redirect("exam:settings")
    status = 400 if errors or problems else 200
    context = {
        "cards": protocol_form.form_view(values, errors),
        "has_errors": bool(errors or problems),
        "problems": problems,
        "mismatches": table.mirror_mismatches(),
        "latest": latest_protocol_override(),
        "history": protocol_table_history(),
        "position_choices": protocol_form.POSITION_CHOICES,
        "keyed_by_choices": protocol_form.KEYED_BY_CHOICES,
    }
    return render(request, "exam/settings.html", _with_cmrt(context), status=status)


def _with_cmrt(
    context: dict, levels=None, errors=None, problems=(), version: str | None = None
) -> dict:
    latest = latest_cmrt_area_levels()
    context.update(
        {
            "cmrt_rows": cmrt_levels_form.form_rows(
                current_cmrt_area_levels() if levels is None else levels, errors or {}
            ),
            "cmrt_has_errors": bool(errors or problems),
            "cmrt_problems": list(problems),
            "cmrt_version": version if version is not None else (latest.pk if latest else ""),
            "cmrt_history": cmrt_area_levels_history(),
            "cmrt_level_choices": cmrt_levels_form.LEVEL_CHOICES,
        }
    )
    return context


def _save_cmrt_levels(request: HttpRequest) -> HttpResponse:
    raw = cmrt_levels_form.levels_from_values(request.POST)
    version = request.POST.get(cmrt_levels_form.VERSION_FIELD, "").strip()
    if version and not version.isdigit():
        return HttpResponseBadRequest("The CMRT levels form was not recognised; reload the page.")
    errors: dict[str, str] = {}
    problems: list[str] = []
    status = 400
    try:
        save_cmrt_area_levels(raw, request.user, based_on=int(version) if version else None)
    except FindingsError as error:
        for path, message in error.errors:
            field = cmrt_levels_form.field_for_error_path(path)
            if field:
                errors.setdefault(field, message[:1].upper() + message[1:] + ".")
            else:
                problems.append(f"{path}: {message}")
    except CmrtLevelsConflict as error:
        return render(
            request,
            "exam/settings.html",
            _settings_base(_with_cmrt({}, problems=[error.message])),
            status=error.status_code,
        )
    else:
        messages.success(request, _("CMRT area levels saved. New CMRT rows use them from now on."))
        return redirect("exam:settings")
    context = _settings_base(_with_cmrt({}, raw, errors, problems, version))
    return render(request, "exam/settings.html", context, status=status)


def _settings_base(context: dict) -> dict:
    table = current_protocol_table()
    context.update(
        {
            "cards": protocol_form.form_view(protocol_form.values_from_table(table), {}),
            "mismatches": table.mirror_mismatches(),
            "latest": latest_protocol_override(),
            "history": protocol_table_history(),
            "position_choices": protocol_form.POSITION_CHOICES,
            "keyed_by_choices": protocol_form.KEYED_BY_CHOICES,
        }
    )
    return context
