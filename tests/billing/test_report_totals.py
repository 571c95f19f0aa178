"""The reports' running totals (``billing.summaries``) equal a recomputation from the ledger's
entries after any sequence of charges, payments, refunds, credits, opening balances and
reversals; and the rebuild the data migration runs gives the same rows."""

import contextlib
import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from sotclinic.accounts.models import Role
from sotclinic.billing import ledger, summaries
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import EntryKind, OwedDebit, RevenueDay
from tests.billing.totals import recomputed, stored
from tests.factories import make_location, make_patient, make_practitioner, make_user

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)
PATIENTS, PRACTITIONERS = 3, 2

patient = st.integers(0, PATIENTS - 1)
day = st.integers(0, 150)
who = st.integers(0, PRACTITIONERS)  # the last: no practitioner
operation = st.one_of(
    st.tuples(st.just("charge"), patient, day, st.integers(0, 9000), who),
    st.tuples(st.just("payment"), patient, day, st.integers(1, 9000)),
    st.tuples(st.just("refund"), patient, day, st.integers(1, 3000)),
    st.tuples(st.just("credit"), patient, day, st.integers(1, 3000), who),
    st.tuples(st.just("opening"), patient, day, st.integers(-5000, 5000)),
    st.tuples(st.just("reverse"), st.integers(0, 40)),
)


def _apply(op, patients, practitioners, desk, posted) -> None:
    name, *args = op
    if name == "reverse":
        if posted:
            # Already reversed, or itself a reversal: refused, and nothing is posted.
            with contextlib.suppress(BillingError):
                posted.append(
                    ledger.reverse_entry(posted[args[0] % len(posted)], by=desk, reason="Mistake")
                )
        return
    p, when, amount = patients[args[0]], START + dt.timedelta(days=args[1]), args[2]
    if name == "charge":
        entry = ledger.post_entry(
            p,
            kind=EntryKind.CHARGE,
            amount=amount,
            by=desk,
            occurred_on=when,
            practitioner=practitioners[args[3]],
        )
    elif name == "payment":
        entry = ledger.record_payment(p, amount=amount, method="card", by=desk, occurred_on=when)
    elif name == "refund":
        entry = ledger.record_refund(p, amount=amount, method="cash", by=desk, occurred_on=when)
    elif name == "credit":
        entry = ledger.issue_credit(
            p,
            amount=amount,
            by=desk,
            reason="Goodwill",
            occurred_on=when,
            practitioner=practitioners[args[3]],
        )
    else:
        entry = ledger.post_entry(
            p, kind=EntryKind.OPENING, amount=amount, by=desk, occurred_on=when
        )
    posted.append(entry)


@settings(max_examples=40, deadline=None)
@given(st.lists(operation, max_size=25))
def test_totals_equal_a_recomputation_from_the_entries(operations):
    with transaction.atomic():
        desk = make_user(Role.FRONT_DESK)
        location = make_location()
        practitioners = [make_practitioner(location) for _ in range(PRACTITIONERS)] + [None]
        patients = [make_patient() for _ in range(PATIENTS)]
        posted = []
        for op in operations:
            _apply(op, patients, practitioners, desk, posted)

        expected = recomputed()
        assert stored() == expected

        summaries.rebuild()
        assert stored() == expected
        transaction.set_rollback(True)


def test_the_rebuild_fills_empty_totals_from_the_entries():
    desk = make_user(Role.FRONT_DESK)
    someone = make_practitioner(make_location())
    ada, ben = make_patient(), make_patient()
    charge = ledger.post_entry(
        ada, kind=EntryKind.CHARGE, amount=4500, by=desk, occurred_on=START, practitioner=someone
    )
    ledger.record_payment(ada, amount=1000, method="card", by=desk, occurred_on=START)
    ledger.post_entry(ben, kind=EntryKind.OPENING, amount=700, by=desk, occurred_on=START)
    ledger.reverse_entry(charge, by=desk, reason="Wrong patient")
    carried = ledger.post_entry(
        make_patient(), kind=EntryKind.OPENING, amount=300, by=desk, occurred_on=START
    )
    ledger.reverse_entry(carried, by=desk, reason="Carried over twice")  # in no report
    expected = stored()
    RevenueDay.objects.all().delete()
    OwedDebit.objects.all().delete()

    summaries.rebuild()

    assert stored() == expected == recomputed()
    assert expected[1] == {(ben.account.pk, START): 700}


def test_running_total_rows_read_as_text():
    patient = make_patient()
    entry = ledger.post_entry(
        patient, kind=EntryKind.CHARGE, amount=4500, by=make_user(Role.FRONT_DESK)
    )

    day = RevenueDay.objects.get()
    owed = OwedDebit.objects.get()
    assert str(day) == f"{entry.occurred_on} -: 4500"
    assert str(owed) == f"{entry.account_id} {entry.occurred_on}: 4500"
