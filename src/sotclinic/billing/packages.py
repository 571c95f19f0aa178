"""Selling and redeeming prepaid packages, and charging memberships' monthly fees.

Each sale, redemption and monthly fee is one transaction with its ledger entry. A redemption
locks the package row first (a monthly fee its membership's), so two front-desk screens
redeeming the last visit, or charging one month, at once give one row and one refusal; the
database's check on ``visits_used`` and its unique keys back this up."""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sotclinic.charting.models import Visit
from sotclinic.patients.models import Patient
from sotclinic.scheduling.selectors import clinic_today

from . import ledger
from .errors import BillingError
from .models import (
    EntryKind,
    Membership,
    MembershipFee,
    MembershipPlan,
    PackageProduct,
    PackageRedemption,
    PatientPackage,
    PaymentMethod,
)


def _same_currency(currency: str) -> None:
    if currency != ledger.clinic_currency():
        raise BillingError(
            _("This is priced in %(currency)s; the clinic bills in %(clinic)s.")
            % {"currency": currency, "clinic": ledger.clinic_currency()}
        )


@transaction.atomic
def sell_package(
    patient: Patient, product: PackageProduct, *, by, sold_on: dt.date | None = None
) -> PatientPackage:
    """Sell a package: one charge of its price, and the package with its visits to use."""
    if not product.active:
        raise BillingError(_("This package is no longer sold."))
    _same_currency(product.currency)
    sold_on = sold_on or clinic_today()
    charge = ledger.post_entry(
        patient,
        kind=EntryKind.CHARGE,
        amount=product.price,
        by=by,
        occurred_on=sold_on,
        description=_("Package: %(name)s (%(visits)s visits)")
        % {"name": product.name, "visits": product.visits},
    )
    return PatientPackage.objects.create(
        patient=patient,
        product=product,
        name=product.name,
        visits_total=product.visits,
        price=product.price,
        currency=product.currency,
        sold_on=sold_on,
        expires_on=(
            sold_on + dt.timedelta(days=product.validity_days) if product.validity_days else None
        ),
        charge=charge,
        sold_by=by,
    )


@transaction.atomic
def redeem_package(package: PatientPackage, visit: Visit, *, amount: int, by) -> PackageRedemption:
    """Pay a visit's charges (``amount``, minor units) with one visit of the package: a credit
    entry naming the package and a redemption row, once per package and visit."""
    package = PatientPackage.objects.select_for_update().get(pk=package.pk)
    if package.patient_id != visit.patient_id:
        raise BillingError(_("This package belongs to another patient."))
    if package.visits_left <= 0:
        raise BillingError(_("This package has no visits left."))
    if package.expires_on and clinic_today() > package.expires_on:
        raise BillingError(
            _("This package expired on %(date)s.") % {"date": package.expires_on.isoformat()}
        )
    if PackageRedemption.objects.filter(package=package, visit=visit).exists():
        raise BillingError(_("This visit is already paid with this package."))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise BillingError(_("There is nothing to pay for this visit."))
    used = package.visits_used + 1
    credit = ledger.issue_credit(
        visit.patient,
        amount=amount,
        by=by,
        reason=_("Paid with package %(name)s (visit %(used)s of %(total)s)")
        % {"name": package.name, "used": used, "total": package.visits_total},
        method=PaymentMethod.PACKAGE,
        visit=visit,
    )
    PatientPackage.objects.filter(pk=package.pk).update(visits_used=F("visits_used") + 1)
    return PackageRedemption.objects.create(
        package=package, visit=visit, credit=credit, redeemed_by=by
    )


def usable_packages(patient: Patient, day: dt.date | None = None) -> list[PatientPackage]:
    """The patient's packages with visits left that have not expired, oldest first."""
    day = day or clinic_today()
    packages = PatientPackage.objects.filter(
        patient=patient, visits_used__lt=F("visits_total")
    ).order_by("sold_on", "id")
    return [package for package in packages if package.usable_on(day)]


@transaction.atomic
def start_membership(
    patient: Patient, plan: MembershipPlan, *, by, started_on: dt.date | None = None
) -> Membership:
    """Record that the patient joined the plan; fees are charged month by month."""
    if not plan.active:
        raise BillingError(_("This membership is no longer offered."))
    _same_currency(plan.currency)
    return Membership.objects.create(
        patient=patient,
        plan=plan,
        monthly_fee=plan.monthly_fee,
        currency=plan.currency,
        started_on=started_on or clinic_today(),
        created_by=by,
    )


@transaction.atomic
def end_membership(membership: Membership, *, ended_on: dt.date) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if ended_on < membership.started_on:
        raise BillingError(_("A membership cannot end before it started."))
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    return membership


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def charge_membership_month(membership: Membership, month: dt.date, *, by) -> MembershipFee:
    """Charge the membership's fee for the month of ``month``, once."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    month = first_of_month(month)
    if month < first_of_month(membership.started_on) or (
        membership.ended_on and month > first_of_month(membership.ended_on)
    ):
        raise BillingError(_("The membership does not run in this month."))
    if MembershipFee.objects.filter(membership=membership, month=month).exists():
        raise BillingError(_("This month's fee is already charged."))
    charge = ledger.post_entry(
        membership.patient,
        kind=EntryKind.CHARGE,
        amount=membership.monthly_fee,
        by=by,
        occurred_on=month,
        description=_("Membership %(name)s, %(month)s")
        % {"name": membership.plan.name, "month": month.strftime("%Y-%m")},
    )
    return MembershipFee.objects.create(membership=membership, month=month, charge=charge)
