"""A patient's packages and memberships: what is left, selling one, charging a month."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.patients.models import Patient
from sotclinic.scheduling.selectors import clinic_today

from . import packages
from .errors import BillingError
from .models import Membership, MembershipPlan, PackageProduct


def _render(request, patient: Patient, *, status=200, error="") -> HttpResponse:
    context = {
        "patient": patient,
        "packages": patient.packages.order_by("-sold_on", "-id"),
        "memberships": patient.memberships.select_related("plan").prefetch_related("fees"),
        "products": PackageProduct.objects.filter(active=True),
        "plans": MembershipPlan.objects.filter(active=True),
        "this_month": clinic_today().replace(day=1),
        "error": error,
    }
    return render(request, "billing/patient_packages.html", context, status=status)


@staff_required
@require_GET
def patient_packages(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.VIEW_CHARGES, "packages")
    return _render(request, patient)


def _chosen(model, value):
    try:
        return model.objects.get(pk=int(value))
    except (TypeError, ValueError, model.DoesNotExist):
        return None


@staff_required
@require_POST
def sell(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Sell a package or start a membership (the form says which)."""
    patient = get_object_or_404(Patient, pk=patient_id)
    product = _chosen(PackageProduct, request.POST.get("product"))
    plan = _chosen(MembershipPlan, request.POST.get("plan"))
    try:
        if product is not None:
            sold = packages.sell_package(patient, product, by=request.user)
            detail, done = f"package {sold.pk}", _("The package was sold and charged.")
        elif plan is not None:
            joined = packages.start_membership(patient, plan, by=request.user)
            detail, done = f"membership {joined.pk}", _("The membership was recorded.")
        else:
            log_access(request, patient, Action.VIEW_CHARGES, "packages")
            return _render(request, patient, status=400, error=_("Choose what to sell."))
    except BillingError as error:
        log_access(request, patient, Action.VIEW_CHARGES, "packages")
        return _render(request, patient, status=409, error=error.message)
    log_access(request, patient, Action.SELL_PACKAGE, detail)
    messages.success(request, done)
    return redirect("charges:packages", patient.pk)


@staff_required
@require_POST
def charge_month(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Charge a membership's fee for a month (YYYY-MM), once."""
    membership = get_object_or_404(Membership.objects.select_related("patient"), pk=membership_id)
    patient = membership.patient
    try:
        month = dt.date.fromisoformat(f"{request.POST.get('month', '')}-01")
    except ValueError:
        log_access(request, patient, Action.VIEW_CHARGES, "packages")
        return _render(request, patient, status=400, error=_("Enter the month as YYYY-MM."))
    try:
        packages.charge_membership_month(membership, month, by=request.user)
    except BillingError as error:
        log_access(request, patient, Action.VIEW_CHARGES, "packages")
        return _render(request, patient, status=409, error=error.message)
    log_access(request, patient, Action.POST_CHARGES, f"membership {membership.pk} {month:%Y-%m}")
    messages.success(request, _("The month's fee was charged."))
    return redirect("charges:packages", patient.pk)
