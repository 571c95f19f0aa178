"""Front desk's review of charges: every open charge (oldest first), and per visit the lines to
edit, post, discard or add, and posting the visit with or without a prepaid package."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access, log_aggregate_access
from sotclinic.charting.models import Visit
from sotclinic.query_params import page_param

from . import charges, ledger
from .charge_forms import AddChargeForm, ChargeDraftForm, PostVisitForm
from .errors import BillingError
from .models import ChargeDraft
from .packages import usable_packages


@staff_required
@require_GET
def open_charges(request: HttpRequest) -> HttpResponse:
    """Every charge still to review, oldest first."""
    drafts = (
        ChargeDraft.objects.filter(status=ChargeDraft.Status.OPEN)
        .select_related("visit__patient", "visit__practitioner")
        .order_by("created_at", "id")
    )
    page = Paginator(drafts, 100).get_page(page_param(request.GET))
    log_aggregate_access(request, Action.VIEW_CHARGES, "open charges")
    return render(request, "billing/open_charges.html", {"page": page})


def _visit(visit_id: int) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related("patient", "practitioner", "note", "appointment__location"),
        pk=visit_id,
    )


def _render_visit(
    request, visit, *, status=200, error="", bound: ChargeDraftForm | None = None, add_form=None
):
    currency = ledger.clinic_currency()
    drafts = list(visit.charge_drafts.select_related("entry", "service"))
    rows = [
        (draft, bound if bound and bound.draft.pk == draft.pk else ChargeDraftForm(draft=draft))
        for draft in drafts
    ]
    packages = usable_packages(visit.patient)
    context = {
        "visit": visit,
        "patient": visit.patient,
        "day": charges.visit_day(visit),
        "diagnoses": list(enumerate(charges.visit_diagnoses(visit), start=1)),
        "rows": rows,
        "has_open": any(d.status == ChargeDraft.Status.OPEN for d in drafts),
        "add_form": add_form or AddChargeForm(currency=currency),
        "post_form": PostVisitForm(packages=packages),
        "packages": packages,
        "currency": currency,
        "error": error,
    }
    return render(request, "billing/visit_charges.html", context, status=status)


@staff_required
@require_GET
def visit_charges(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
    return _render_visit(request, visit)


@staff_required
@require_POST
def change_charge(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Save, post or discard one open charge (the button pressed says which)."""
    draft = get_object_or_404(ChargeDraft.objects.select_related("visit"), pk=draft_id)
    visit = _visit(draft.visit_id)
    action = request.POST.get("action")
    form = ChargeDraftForm(request.POST, draft=draft)
    try:
        if action == "discard":
            charges.discard_draft(draft.pk, by=request.user)
            done = _("The charge was discarded.")
        elif action in ("save", "post"):
            if not form.is_valid():
                log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
                return _render_visit(
                    request, visit, status=400, bound=form, error=_("Check the line's fields.")
                )
            done = _("The charge was saved.")
            charges.update_draft(draft.pk, by=request.user, **form.changes())
            if action == "post":
                charges.post_draft(draft.pk, by=request.user)
                done = _("The charge was posted to the patient's account.")
        else:
            return _render_visit(request, visit, status=400, error=_("Choose what to do."))
    except BillingError as error:
        log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
        return _render_visit(request, visit, status=409, bound=form, error=error.message)
    what = Action.POST_CHARGES if action == "post" else Action.CHANGE_CHARGES
    log_access(request, visit.patient, what, f"visit {visit.pk} charge {draft.pk} {action}")
    messages.success(request, done)
    return redirect("charges:visit", visit.pk)


@staff_required
@require_POST
def add_charge(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Add a line by hand: a service at its fee, or at the amount typed."""
    visit = _visit(visit_id)
    form = AddChargeForm(request.POST, currency=ledger.clinic_currency())
    if not form.is_valid():
        log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
        return _render_visit(request, visit, status=400, add_form=form)
    try:
        draft = charges.add_charge(
            visit,
            form.cleaned_data["service"],
            by=request.user,
            amount=form.cleaned_data["amount_minor"],
        )
    except BillingError as error:
        form.add_error("amount", error.message)
        log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
        return _render_visit(request, visit, status=409, add_form=form)
    log_access(request, visit.patient, Action.CHANGE_CHARGES, f"visit {visit.pk} add {draft.pk}")
    messages.success(request, _("The line was added."))
    return redirect("charges:visit", visit.pk)


@staff_required
@require_POST
def post_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Post every open charge of the visit, paid with a package if one is chosen."""
    visit = _visit(visit_id)
    form = PostVisitForm(request.POST, packages=usable_packages(visit.patient))
    if not form.is_valid():
        log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
        return _render_visit(
            request, visit, status=400, error=_("Choose one of the patient's packages.")
        )
    package = form.cleaned_data["package"]
    try:
        charges.post_visit_charges(visit, by=request.user, package=package)
    except BillingError as error:
        log_access(request, visit.patient, Action.VIEW_CHARGES, f"visit {visit.pk}")
        return _render_visit(request, visit, status=409, error=error.message)
    detail = f"visit {visit.pk} all" + (f" package {package.pk}" if package else "")
    log_access(request, visit.patient, Action.POST_CHARGES, detail)
    messages.success(
        request,
        _("The charges were posted and paid with the package.")
        if package
        else _("The charges were posted to the patient's account."),
    )
    return redirect("charges:visit", visit.pk)
