"""Opening balances from a Cliniko shaped export, posted as billing's opening-balance entry."""

import datetime as dt

import pytest

from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing.errors import BillingError
from sotclinic.billing.ledger import post_opening_balance, reverse_entry
from sotclinic.billing.models import Account, EntryKind, LedgerEntry
from sotclinic.imports.importing import RowProblem, parse_amount
from tests.factories import make_patient

from .conftest import import_file, upload

pytestmark = pytest.mark.django_db

PATIENTS = (
    "ID,First name,Last name,Date of birth,Email,Mobile,Address 1,Address 2,City,Post code\n"
    "11,Olivia,Hartley,1984-03-07,olivia@example.com,,,,,\n"
    "12,Tom,Baker,1990-11-30,tom@example.com,,,,,\n"
    "13,Ann,Lee,1980-01-01,ann@example.com,,,,,\n"
)
BALANCES = 'Patient ID,Outstanding,Date\n11,"£1,234.50",2026-01-31\n12,(20.00),\n13,0.00,\n'


@pytest.fixture
def patients(client, desk):
    assert b"3 created" in import_file(client, "patient", "cliniko", PATIENTS).content


def test_balances_are_posted_as_opening_balance_entries(client, desk, patients):
    response = import_file(client, "opening_balance", "cliniko", BALANCES)

    assert b"2 created, 0 changed, 0 linked, 0 unchanged, 1 left out" in response.content
    olivia = Account.objects.get(patient__first_name="Olivia")
    assert olivia.balance == 123450
    entry = LedgerEntry.objects.get(account=olivia)
    assert (entry.kind, entry.occurred_on) == (EntryKind.OPENING, dt.date(2026, 1, 31))
    assert entry.description == "Opening balance from Cliniko"
    assert entry.created_by == desk
    assert Account.objects.get(patient__first_name="Tom").balance == -2000
    assert not LedgerEntry.objects.filter(account__patient__first_name="Ann").exists()
    assert AccessLog.objects.filter(
        patient=olivia.patient, action=Action.IMPORT_RECORD, detail="opening balance from Cliniko"
    ).exists()


def test_importing_the_balances_again_changes_nothing(client, patients):
    import_file(client, "opening_balance", "cliniko", BALANCES)

    again = import_file(client, "opening_balance", "cliniko", BALANCES)

    assert b"0 created, 0 changed, 0 linked, 2 unchanged, 1 left out" in again.content
    assert LedgerEntry.objects.count() == 2


def test_a_different_amount_for_a_balance_imported_before_is_a_problem(client, patients):
    import_file(client, "opening_balance", "cliniko", BALANCES)

    response = upload(client, "opening_balance", "cliniko", BALANCES.replace("(20.00)", "25"))

    assert "different amount" in response.context["result"].rows[1].problems[0]


def test_unreadable_amounts_and_dates_are_problems(client, patients):
    text = "Patient ID,Outstanding,Date\n11,lots,\n12,10.555,\n13,5,31/31/2026\n"

    rows = upload(client, "opening_balance", "cliniko", text).context["result"].rows

    assert rows[0].problems == ["Amount “lots” is not an amount such as 45.00."]
    assert rows[1].problems == ["GBP amounts have at most 2 decimal places."]
    assert "is not a date" in rows[2].problems[0]


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("45", 4500),
        ("£1,234.50", 123450),
        ("1.234,50 €", 123450),
        ("12,5", 1250),
        ("1,234", 123400),
        ("-20.00", -2000),
        ("(20.00)", -2000),
        ("$ 0.99", 99),
    ],
)
def test_amounts_are_read_as_exports_write_them(text, minor):
    assert parse_amount(text, "GBP") == minor


def test_an_amount_without_digits_is_refused():
    with pytest.raises(RowProblem):
        parse_amount("n/a", "GBP")


def test_billing_refuses_a_second_standing_opening_balance(desk):
    patient = make_patient()
    first = post_opening_balance(patient, amount=1000, by=desk)

    with pytest.raises(BillingError, match="already has an opening balance"):
        post_opening_balance(patient, amount=500, by=desk)

    reverse_entry(first, by=desk, reason="wrong amount carried over")
    post_opening_balance(patient, amount=500, by=desk)
    assert Account.objects.get(patient=patient).balance == 500


def test_billing_refuses_an_opening_balance_of_zero(desk):
    with pytest.raises(BillingError, match="zero"):
        post_opening_balance(make_patient(), amount=0, by=desk)
