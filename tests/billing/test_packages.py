"""Packages: sold as one charge, redeemed one visit at a time with a credit naming the package,
never beyond their visits (also with two desks at once); memberships charged once a month."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sotclinic.accounts.models import Role
from sotclinic.billing import charges, packages
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import (
    Account,
    LedgerEntry,
    MembershipFee,
    MembershipPlan,
    PackageProduct,
    PackageRedemption,
    PatientPackage,
)
from tests.billing.billing_factories import make_service, set_clinic_currency
from tests.concurrency import run_at_once
from tests.factories import (
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


def product(visits=3, price_=12000, **extra):
    return PackageProduct.objects.create(
        name=f"{visits} visits", visits=visits, price=price_, currency="GBP", **extra
    )


@pytest.mark.django_db
def test_selling_a_package_charges_its_price_and_gives_its_visits(desk):
    patient = make_patient()
    sold = packages.sell_package(
        patient, product(validity_days=90), by=desk, sold_on=dt.date(2026, 1, 10)
    )
    assert (sold.visits_left, sold.price, sold.expires_on) == (3, 12000, dt.date(2026, 4, 10))
    assert sold.charge.kind == "charge" and sold.charge.amount == 12000
    assert "3 visits" in sold.charge.description
    assert Account.objects.get(patient=patient).balance == 12000


@pytest.mark.django_db
def test_a_package_in_another_currency_or_no_longer_sold_is_refused(desk):
    with pytest.raises(BillingError, match="priced in EUR"):
        packages.sell_package(
            make_patient(),
            PackageProduct.objects.create(name="x", visits=1, price=1, currency="EUR"),
            by=desk,
        )
    with pytest.raises(BillingError, match="no longer sold"):
        packages.sell_package(make_patient(), product(active=False), by=desk)


def _visit_with_charge(patient, desk, amount=4500):
    visit = make_visit(make_practitioner(make_location()), patient=patient)
    sign_visit(visit)
    charges.add_charge(visit, make_service(), by=desk, amount=amount)
    return visit


@pytest.mark.django_db
def test_paying_a_visit_with_a_package_credits_its_amount_and_uses_one_visit(desk):
    patient = make_patient()
    package = packages.sell_package(patient, product(), by=desk)
    visit = _visit_with_charge(patient, desk)
    charges.post_visit_charges(visit, by=desk, package=package)
    redemption = PackageRedemption.objects.get(package=package, visit=visit)
    assert redemption.credit.amount == -4500 and redemption.credit.method == "package"
    assert (
        "3 visits" in redemption.credit.description
        and "visit 1 of 3" in redemption.credit.description
    )
    package.refresh_from_db()
    assert package.visits_left == 2
    assert Account.objects.get(patient=patient).balance == 12000
    with pytest.raises(BillingError, match="already paid with this package"):
        packages.redeem_package(package, visit, amount=4500, by=desk)


@pytest.mark.django_db
def test_a_used_up_expired_or_someone_elses_package_is_refused_and_nothing_is_written(desk):
    patient = make_patient()
    package = packages.sell_package(patient, product(visits=1), by=desk)
    packages.redeem_package(package, _visit_with_charge(patient, desk), amount=4500, by=desk)
    entries = LedgerEntry.objects.count()
    with pytest.raises(BillingError, match="no visits left"):
        packages.redeem_package(package, _visit_with_charge(patient, desk), amount=4500, by=desk)
    old = packages.sell_package(
        patient, product(validity_days=1), by=desk, sold_on=dt.date(2020, 1, 1)
    )
    with pytest.raises(BillingError, match="expired on 2020-01-02"):
        packages.redeem_package(old, _visit_with_charge(patient, desk), amount=4500, by=desk)
    other = packages.sell_package(make_patient(), product(), by=desk)
    with pytest.raises(BillingError, match="another patient"):
        packages.redeem_package(other, _visit_with_charge(patient, desk), amount=4500, by=desk)
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert LedgerEntry.objects.count() == entries + 2  # the two packages sold since
    assert packages.usable_packages(patient) == []


@pytest.mark.django_db
def test_a_failed_redemption_leaves_the_visits_charges_open(desk):
    patient = make_patient()
    package = packages.sell_package(patient, product(visits=1), by=desk)
    packages.redeem_package(package, _visit_with_charge(patient, desk), amount=4500, by=desk)
    visit = _visit_with_charge(patient, desk)
    with pytest.raises(BillingError, match="no visits left"):
        charges.post_visit_charges(visit, by=desk, package=package)
    assert visit.charge_drafts.get().status == "open"
    assert not LedgerEntry.objects.filter(visit=visit).exists()


@pytest.mark.django_db
def test_the_database_refuses_more_redemptions_than_visits(desk):
    package = packages.sell_package(make_patient(), product(visits=1), by=desk)
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientPackage.objects.filter(pk=package.pk).update(visits_used=2)


@pytest.mark.django_db(transaction=True)
def test_two_desks_redeeming_the_last_visit_at_once_use_it_once():
    desk = make_user(Role.FRONT_DESK)
    patient = make_patient()
    package = packages.sell_package(patient, product(visits=1), by=desk)
    visits = iter([_visit_with_charge(patient, desk) for _ in range(4)])
    chosen = [next(visits) for _ in range(4)]
    queue = iter(chosen)

    def redeem():
        packages.redeem_package(package, next(queue), amount=4500, by=desk)

    errors = run_at_once(redeem, times=4)
    assert len(errors) == 3 and all(isinstance(e, BillingError) for e in errors), errors
    package.refresh_from_db()
    assert (
        package.visits_used == 1 and PackageRedemption.objects.filter(package=package).count() == 1
    )
    assert LedgerEntry.objects.filter(kind="credit").count() == 1


@pytest.mark.django_db
def test_a_membership_fee_is_charged_once_per_month_within_its_dates(desk):
    set_clinic_currency("GBP")
    patient = make_patient()
    plan = MembershipPlan.objects.create(name="Wellness", monthly_fee=3900, currency="GBP")
    membership = packages.start_membership(patient, plan, by=desk, started_on=dt.date(2026, 1, 15))
    fee = packages.charge_membership_month(membership, dt.date(2026, 1, 31), by=desk)
    assert fee.month == dt.date(2026, 1, 1) and fee.charge.amount == 3900
    assert "Wellness, 2026-01" in fee.charge.description
    with pytest.raises(BillingError, match="already charged"):
        packages.charge_membership_month(membership, dt.date(2026, 1, 2), by=desk)
    with pytest.raises(BillingError, match="does not run"):
        packages.charge_membership_month(membership, dt.date(2025, 12, 1), by=desk)
    packages.end_membership(membership, ended_on=dt.date(2026, 2, 10))
    packages.charge_membership_month(membership, dt.date(2026, 2, 1), by=desk)
    with pytest.raises(BillingError, match="does not run"):
        packages.charge_membership_month(membership, dt.date(2026, 3, 1), by=desk)
    with pytest.raises(BillingError, match="before it started"):
        packages.end_membership(membership, ended_on=dt.date(2025, 1, 1))
    assert Account.objects.get(patient=patient).balance == 7800
    plan.active = False
    plan.save()
    with pytest.raises(BillingError, match="no longer offered"):
        packages.start_membership(patient, plan, by=desk)


@pytest.mark.django_db
def test_a_visit_without_anything_to_pay_is_not_paid_with_a_package(desk):
    patient = make_patient()
    package = packages.sell_package(patient, product(), by=desk)
    visit = _visit_with_charge(patient, desk, amount=0)

    with pytest.raises(BillingError, match="There is nothing to pay for this visit."):
        charges.post_visit_charges(visit, by=desk, package=package)

    package.refresh_from_db()
    assert package.visits_used == 0 and not PackageRedemption.objects.exists()
    assert visit.charge_drafts.get().status == "open"


@pytest.mark.django_db(transaction=True)
def test_two_desks_charging_one_membership_month_at_once_charge_it_once():
    desk = make_user(Role.FRONT_DESK)
    set_clinic_currency("GBP")
    patient = make_patient()
    plan = MembershipPlan.objects.create(name="Wellness", monthly_fee=3900, currency="GBP")
    membership = packages.start_membership(patient, plan, by=desk, started_on=dt.date(2026, 1, 1))

    errors = run_at_once(
        lambda: packages.charge_membership_month(membership, dt.date(2026, 1, 1), by=desk),
        times=3,
    )

    assert len(errors) == 2 and all("already charged" in str(e) for e in errors), errors
    assert MembershipFee.objects.filter(membership=membership).count() == 1
    assert Account.objects.get(patient=patient).balance == 3900


@pytest.mark.django_db
def test_package_and_membership_rows_read_as_text(desk):
    set_clinic_currency("GBP")
    patient = make_patient()
    package = packages.sell_package(patient, product(visits=3), by=desk)
    visit = _visit_with_charge(patient, desk)
    redemption = packages.redeem_package(package, visit, amount=4500, by=desk)
    plan = MembershipPlan.objects.create(name="Wellness", monthly_fee=3900, currency="GBP")
    membership = packages.start_membership(patient, plan, by=desk, started_on=dt.date(2026, 1, 5))
    fee = packages.charge_membership_month(membership, dt.date(2026, 1, 5), by=desk)

    assert str(redemption) == f"{package.name}: visit {visit.pk}"
    assert str(membership) == "Wellness from 2026-01-05"
    assert str(fee) == "Wellness 2026-01"
