"""The demo clinic's price list: the shipped codes, its own visit fees in its currency (the
follow-up suggested from every signed visit), a package and a membership plan; loaded once."""

import io

import pytest
from django.core.management import call_command

from sotclinic.billing.catalogue import shipped_services
from sotclinic.billing.fees import fee_for
from sotclinic.billing.models import FeeSchedule, MembershipPlan, PackageProduct, Service

pytestmark = pytest.mark.django_db


def test_the_demo_clinic_has_prices_a_package_and_a_membership_once():
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    assert Service.objects.filter(code_system__in=["cpt", "hcpcs"]).count() == len(
        shipped_services()
    )
    follow_up = Service.objects.get(code_system="clinic", code="FU")
    assert follow_up.suggest_for == "visit"
    assert fee_for(follow_up, location=None, currency="GBP").amount == 4200
    assert FeeSchedule.objects.count() == 1
    assert PackageProduct.objects.get().visits == 6
    assert MembershipPlan.objects.get().monthly_fee == 3900
