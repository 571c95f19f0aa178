"""The demo clinic posts the charges of its signed visits and a few payments through the
billing services, once: its billing reports have something to show."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from sotclinic.billing.models import ChargeDraft, EntryKind, LedgerEntry
from sotclinic.billing.reports import Period, ageing_report, revenue_report
from sotclinic.charting.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_posts_its_signed_visits_charges_and_some_payments_once():
    call_command("demo", stdout=io.StringIO())
    signed = Visit.objects.filter(note__signed_at__isnull=False)
    assert signed.count() > 0
    charges = LedgerEntry.objects.filter(kind=EntryKind.CHARGE)
    assert set(charges.values_list("visit_id", flat=True)) == set(
        signed.values_list("pk", flat=True)
    )
    assert not ChargeDraft.objects.filter(status=ChargeDraft.Status.OPEN).exists()
    assert all(d.entry_id for d in ChargeDraft.objects.filter(status=ChargeDraft.Status.POSTED))
    payments = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT)
    assert payments.values("account").distinct().count() == 3
    assert all(p.amount < 0 and p.method == "card" for p in payments)
    counts = (charges.count(), payments.count())

    call_command("demo", stdout=io.StringIO())
    assert (charges.count(), payments.count()) == counts

    first = charges.order_by("occurred_on").first().occurred_on
    report = revenue_report(Period(first, dt.date.today()))
    assert report.revenue == sum(c.amount for c in charges)
    assert report.payments == sum(p.amount for p in payments) or report.payments == -sum(
        p.amount for p in payments
    )
    assert ageing_report().rows  # some patients still owe
