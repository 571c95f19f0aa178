"""The benchmark's bulk-written practice (``bench/practice.py``) holds rows the app's own write
paths could have written, and the app writes on after it as on any other data."""

import datetime as dt

import pytest
from bench.practice import Size, generate, load
from django.db.models import Sum

from sotclinic.billing import ledger, summaries
from sotclinic.billing.models import Account, EntryKind, LedgerEntry, OwedDebit, RevenueDay
from sotclinic.charting.models import Note, Visit
from sotclinic.intake.models import Intake, QuestionnaireResponse
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

SIZE = Size().times(0.002)


def totals():
    revenue = set(RevenueDay.objects.values_list("day", "practitioner_id", *TOTALS))
    owed = set(OwedDebit.objects.values_list("account_id", "day", "amount"))
    return revenue, owed


TOTALS = ("charged", "reduced", "received")


def test_the_practice_has_the_rows_of_its_size_consistent_with_the_models():
    practice = generate(SIZE)

    assert Appointment.objects.count() == SIZE.appointments
    assert Visit.objects.filter(appointment__isnull=False).count() == SIZE.visits
    assert QuestionnaireResponse.objects.count() == SIZE.responses
    assert LedgerEntry.objects.filter(kind=EntryKind.CHARGE).count() == SIZE.charges
    # The search columns are the ones the model fills on save.
    for patient in Patient.objects.all():
        columns = (patient.search_name, patient.search_phone, patient.search_email)
        patient.fill_search_columns()
        assert columns == (patient.search_name, patient.search_phone, patient.search_email)
    # Every visit of an appointment is of a completed one, with the note signed.
    assert not Visit.objects.exclude(appointment__status=Appointment.Status.COMPLETED).exclude(
        appointment__isnull=True
    )
    assert not Note.objects.filter(visit__appointment__isnull=False, signed_at__isnull=True)
    assert not Intake.objects.exclude(status=Intake.Status.COMPLETE)
    assert len(set(Intake.objects.values_list("nonce", flat=True))) == Intake.objects.count()
    # The balances are the sums of the entries; the running totals are the entries'.
    for account in Account.objects.annotate(total=Sum("entries__amount")):
        assert account.balance == account.total
    written = totals()
    assert written[0] and written[1]
    summaries.rebuild()
    assert totals() == written
    # Found again as written, for a later run on the same database.
    again = load()
    assert (again.location, again.kind, again.chart_patient, again.staff) == (
        practice.location,
        practice.kind,
        practice.chart_patient,
        practice.staff,
    )
    assert again.practitioners == practice.practitioners


def test_the_app_posts_on_after_the_practice_and_the_totals_follow():
    practice = generate(SIZE)
    owing = Account.objects.filter(balance__gt=0).select_related("patient").first()

    # The sequences went on past the written rows: the ORM inserts where they end.
    entry = ledger.post_entry(
        owing.patient,
        kind=EntryKind.PAYMENT,
        amount=-owing.balance,
        by=practice.staff,
        method="card",
    )
    patient = Patient.objects.create(
        first_name="After", last_name="Bench", date_of_birth=dt.date(1990, 1, 1)
    )

    assert entry.pk > LedgerEntry.objects.exclude(pk=entry.pk).latest("pk").pk
    assert patient.pk > Patient.objects.exclude(pk=patient.pk).latest("pk").pk
    assert not OwedDebit.objects.filter(account=owing)  # paid up, as the write path keeps it
    kept = totals()
    summaries.rebuild()
    assert totals() == kept
