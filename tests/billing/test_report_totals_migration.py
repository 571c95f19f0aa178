"""The migration that introduces the reports' running totals builds them from the entries
already posted: a day's revenue per practitioner and the owed part of each owing account."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sotclinic.accounts.models import Role
from tests.factories import make_patient, make_user

BEFORE = [("billing", "0006_package_field_names")]
AFTER = [("billing", "0007_report_running_totals")]
DAY = dt.date(2026, 5, 4)


@pytest.mark.django_db(transaction=True)
def test_the_totals_are_built_from_the_entries_already_posted():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    # Users and patients are as today (only billing went back).
    desk = make_user(Role.FRONT_DESK)
    account = old.get_model("billing", "Account").objects.create(
        patient_id=make_patient().pk, currency="GBP", balance=4500 - 1000
    )
    entry = old.get_model("billing", "LedgerEntry")
    common = {"account": account, "currency": "GBP", "created_by_id": desk.pk}
    entry.objects.create(kind="charge", amount=4500, occurred_on=DAY, **common)
    wrong = entry.objects.create(kind="charge", amount=900, occurred_on=DAY, **common)
    entry.objects.create(kind="reversal", amount=-900, occurred_on=DAY, reverses=wrong, **common)
    entry.objects.create(kind="payment", amount=-1000, occurred_on=DAY, method="card", **common)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    revenue = list(
        new.get_model("billing", "RevenueDay").objects.values_list(
            "day", "practitioner_id", "charged", "reduced", "received"
        )
    )
    owed = list(
        new.get_model("billing", "OwedDebit").objects.values_list("account_id", "day", "amount")
    )

    assert revenue == [(DAY, None, 4500 + 900, -900, -1000)]
    assert owed == [(account.pk, DAY, 3500)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
