"""Charges from the signed visit: suggested when the note is signed, edited while open, posted
once to the ledger (then frozen), discarded, or added by hand at the service's fee."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.billing import charges, ledger
from sotclinic.billing.errors import BillingError
from sotclinic.billing.fees import NoFee
from sotclinic.billing.models import Account, ChargeDraft, FeeSchedule, LedgerEntry
from tests.billing.billing_factories import make_schedule, make_service, price, set_clinic_currency
from tests.factories import (
    make_appointment,
    make_location,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


@pytest.fixture
def us_clinic():
    set_clinic_currency("USD")
    schedule = make_schedule("USD")
    services = {}
    for code, amount, suggest in [
        ("98940", 4500, ""),
        ("98941", 5500, ""),
        ("98942", 6500, ""),
        ("98943", 3000, ""),
        ("99213", 9000, ""),
    ]:
        services[code] = make_service(code, "cpt", suggest_for=suggest)
        price(services[code], amount, schedule)
    return services


def signed(regions, diagnoses=("M54.50", "M99.04"), **extra):
    visit = make_visit(**extra)
    sign_visit(visit, adjustment_regions=list(regions), diagnosis_codes=list(diagnoses))
    return visit


def test_signing_a_us_visit_suggests_its_cmt_lines_priced_with_pointers_and_reasons(us_clinic):
    visit = signed(["cervical", "thoracic", "lumbar", "upper_extremity"])
    drafts = list(visit.charge_drafts.order_by("id"))
    assert [(d.code, d.amount, d.diagnosis_pointers, d.status) for d in drafts] == [
        ("98941", 5500, [1, 2], "open"),
        ("98943", 3000, [1, 2], "open"),
    ]
    assert drafts[0].reason.startswith("3 spinal region(s) adjusted")
    assert drafts[0].service == us_clinic["98941"] and drafts[0].currency == "USD"


def test_suggesting_twice_adds_nothing(us_clinic):
    visit = signed(["cervical"])
    assert charges.suggest_charges(visit) == []
    assert visit.charge_drafts.count() == 1


def test_an_unsigned_visit_suggests_nothing(us_clinic):
    visit = make_visit()
    assert charges.suggest_charges(visit) == []


def test_a_cmt_code_without_a_service_or_price_is_suggested_at_zero_saying_so():
    set_clinic_currency("USD")
    make_service("98941", "cpt")  # no price
    visit = signed(["cervical", "thoracic", "lumbar", "head"])
    drafts = {d.code: d for d in visit.charge_drafts.all()}
    assert drafts["98941"].amount == 0 and "no price in the fee schedule" in drafts["98941"].reason
    assert drafts["98943"].service is None and "no service set up" in drafts["98943"].reason


def test_a_clinic_outside_the_us_gets_its_own_visit_fee_and_never_cpt_codes():
    set_clinic_currency("GBP")
    schedule = make_schedule("GBP")
    price(make_service("98940", "cpt", suggest_for="spinal_1_2"), 4500, schedule)
    price(make_service("FU", "clinic", name="Follow-up visit", suggest_for="visit"), 4200, schedule)
    visit = signed(["cervical", "head"], diagnoses=())
    (draft,) = visit.charge_drafts.all()
    assert (draft.code, draft.amount, draft.description, draft.modifiers) == (
        "FU",
        4200,
        "Follow-up visit",
        [],
    )
    assert draft.reason == "Signed visit" and draft.diagnosis_pointers == []


def test_the_locations_price_is_used_for_a_visit_booked_there(us_clinic):
    town = make_location(time_zone="America/New_York")
    price(us_clinic["98940"], 4800, make_schedule("USD", location=town))
    doctor = make_practitioner(town)
    appointment = make_appointment(doctor, timezone.now() - dt.timedelta(hours=1))
    visit = make_visit(appointment=appointment)
    sign_visit(visit, adjustment_regions=["sacral"])
    assert visit.charge_drafts.get().amount == 4800


def test_active_care_adds_at_through_the_registered_check(us_clinic):
    def everyone_in_active_care(patient, day):
        return True

    charges.add_active_care_check(everyone_in_active_care)
    try:
        visit = signed(["cervical"])
    finally:
        charges._active_care_checks.remove(everyone_in_active_care)
    assert visit.charge_drafts.get().modifiers == ["AT"]


def test_an_em_line_added_by_hand_beside_a_manipulation_gets_25(us_clinic, desk):
    visit = signed(["lumbar"])
    draft = charges.add_charge(visit, us_clinic["99213"], by=desk)
    assert (draft.code, draft.modifiers, draft.amount, draft.reason) == ("99213", ["25"], 9000, "")
    assert draft.diagnosis_pointers == [1, 2]
    alone = signed([])
    assert charges.add_charge(alone, us_clinic["99213"], by=desk).modifiers == []


def test_adding_a_service_without_a_price_is_refused_unless_an_amount_is_given(us_clinic, desk):
    visit = signed([])
    service = make_service("A4556", "hcpcs", name="Electrodes")
    with pytest.raises(NoFee, match="A4556 Electrodes has no price in USD"):
        charges.add_charge(visit, service, by=desk)
    assert charges.add_charge(visit, service, by=desk, amount=1250).amount == 1250


def test_posting_puts_the_line_on_the_ledger_once_and_freezes_the_draft(us_clinic, desk):
    visit = signed(["cervical", "thoracic", "lumbar", "sacral", "pelvic"])
    draft = visit.charge_drafts.get()
    entry = charges.post_draft(draft.pk, by=desk)
    assert (entry.kind, entry.amount, entry.code, entry.diagnosis_pointers) == (
        "charge",
        6500,
        "98942",
        [1, 2],
    )
    assert (
        entry.visit == visit and entry.practitioner == visit.practitioner and entry.location is None
    )
    assert entry.occurred_on == charges.visit_day(visit)
    draft.refresh_from_db()
    assert draft.status == "posted" and draft.entry == entry and draft.decided_by == desk
    assert Account.objects.get(patient=visit.patient).balance == 6500
    with pytest.raises(BillingError, match="already posted"):
        charges.post_draft(draft.pk, by=desk)
    with pytest.raises(BillingError, match="already posted"):
        charges.update_draft(
            draft.pk, by=desk, code="98940", modifiers=[], units=1, diagnosis_pointers=[], amount=1
        )
    with pytest.raises(BillingError, match="already posted"):
        charges.discard_draft(draft.pk, by=desk)
    # The correction of a posted charge is a reversal.
    ledger.reverse_entry(entry, by=desk, reason="Wrong region count")
    assert Account.objects.get(patient=visit.patient).balance == 0


def test_posting_a_charge_uses_the_appointments_location(us_clinic, desk):
    town = make_location()
    appointment = make_appointment(make_practitioner(town), timezone.now() - dt.timedelta(hours=1))
    visit = make_visit(appointment=appointment)
    sign_visit(visit, adjustment_regions=["sacral"])
    entry = charges.post_draft(visit.charge_drafts.get().pk, by=desk)
    assert entry.location == town and entry.practitioner == appointment.practitioner


def test_an_open_draft_is_edited_with_checks(us_clinic, desk):
    visit = signed(["cervical"])
    draft = visit.charge_drafts.get()
    changed = charges.update_draft(
        draft.pk,
        by=desk,
        code="98941",
        modifiers=["gp", " "],
        units=2,
        diagnosis_pointers=[2],
        amount=5000,
    )
    assert (
        changed.code,
        changed.modifiers,
        changed.units,
        changed.diagnosis_pointers,
        changed.amount,
    ) == (
        "98941",
        ["GP"],
        2,
        [2],
        5000,
    )
    for bad, message in [
        ({"diagnosis_pointers": [3]}, "pointer 3 points to none"),
        ({"diagnosis_pointers": [1, 1]}, "Each diagnosis pointer once"),
        ({"diagnosis_pointers": [1, 2, 3, 4, 5]}, "at most four"),
        ({"modifiers": ["ATX"]}, "two letters or digits"),
        ({"modifiers": ["AT", "GP", "GA", "59", "25"]}, "At most four"),
        ({"units": 0}, "1 to 99"),
        ({"amount": -1}, "zero or more"),
        ({"code": "", "amount": 1}, "Enter a billing code"),
    ]:
        fields = {
            "code": "98941",
            "modifiers": [],
            "units": 1,
            "diagnosis_pointers": [],
            "amount": 100,
        }
        draft.description = ""
        ChargeDraft.objects.filter(pk=draft.pk).update(description="")
        with pytest.raises(BillingError, match=message):
            charges.update_draft(draft.pk, by=desk, **{**fields, **bad})
    draft.refresh_from_db()
    assert draft.amount == 5000


def test_a_discarded_draft_is_never_posted(us_clinic, desk):
    visit = signed(["cervical"])
    draft = charges.discard_draft(visit.charge_drafts.get().pk, by=desk)
    assert draft.status == "discarded" and draft.entry is None
    with pytest.raises(BillingError, match="already discarded"):
        charges.post_draft(draft.pk, by=desk)
    assert not LedgerEntry.objects.filter(visit=visit).exists()


def test_posting_a_visit_posts_every_open_line_in_one_go(us_clinic, desk):
    visit = signed(["cervical", "head"])
    entries = charges.post_visit_charges(visit, by=desk)
    assert sorted(e.code for e in entries) == ["98940", "98943"]
    assert Account.objects.get(patient=visit.patient).balance == 7500
    with pytest.raises(BillingError, match="no open charges"):
        charges.post_visit_charges(visit, by=desk)


def test_a_failed_post_leaves_the_draft_open_and_the_ledger_untouched(us_clinic, desk):
    visit = signed(["cervical"])
    draft = visit.charge_drafts.get()
    ChargeDraft.objects.filter(pk=draft.pk).update(currency="EUR")
    with pytest.raises(BillingError, match="kept in USD"):
        charges.post_draft(draft.pk, by=desk)
    draft.refresh_from_db()
    assert draft.status == "open"
    assert not LedgerEntry.objects.filter(visit=visit).exists()


def test_tax_is_the_part_of_a_taxable_price_at_the_services_rate():
    service = make_service(tax_treatment="taxable", tax_rate="20.00")
    assert charges.tax_of(1200, service) == 200
    assert charges.tax_of(1200, make_service()) == 0
    assert charges.tax_of(1200, None) == 0


def test_without_the_setting_a_clinic_in_us_dollars_bills_with_us_codes():
    set_clinic_currency("USD")
    assert charges.us_billing_codes() is True
    set_clinic_currency("EUR")
    assert charges.us_billing_codes() is False


def test_an_em_on_another_visit_the_same_day_as_a_manipulation_gets_25(us_clinic, desk):
    first = signed(["lumbar"])
    second = make_visit(patient=first.patient)
    sign_visit(second)
    assert charges.add_charge(second, us_clinic["99213"], by=desk).modifiers == ["25"]
    charges.discard_draft(first.charge_drafts.get(code="98940").pk, by=desk)
    third = make_visit(patient=first.patient)
    sign_visit(third)
    assert charges.add_charge(third, us_clinic["99213"], by=desk).modifiers == []


def test_an_active_care_check_registered_twice_is_asked_once():
    from sotclinic.billing.care_plans import follows_a_care_plan

    charges.add_active_care_check(follows_a_care_plan)  # as a second ready() would

    assert charges._active_care_checks.count(follows_a_care_plan) == 1


def test_of_two_services_suggested_for_visits_the_first_set_up_is_suggested():
    set_clinic_currency("GBP")
    schedule = make_schedule("GBP")
    price(make_service("FU", "clinic", name="Follow-up visit", suggest_for="visit"), 4200, schedule)
    price(
        make_service("FU2", "clinic", name="Later visit fee", suggest_for="visit"), 5000, schedule
    )

    visit = signed(["cervical"], diagnoses=())

    assert [d.code for d in visit.charge_drafts.all()] == ["FU"]


def test_a_us_clinics_own_service_for_one_or_two_regions_wins_over_the_standard_cpt(us_clinic):
    own = make_service("ADJ1", "clinic", name="Adjustment, short", suggest_for="spinal_1_2")
    price(own, 3900, FeeSchedule.objects.get(currency="USD", location=None))

    visit = signed(["cervical"])

    assert [(d.service, d.code, d.amount) for d in visit.charge_drafts.all()] == [
        (own, "ADJ1", 3900)
    ]


def test_a_service_that_carries_25_already_gets_it_once_beside_a_manipulation(us_clinic, desk):
    us_clinic["99213"].default_modifiers = ["25"]
    us_clinic["99213"].save()
    visit = signed(["lumbar"])

    draft = charges.add_charge(visit, us_clinic["99213"], by=desk)

    assert draft.modifiers == ["25"]


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"diagnosis_pointers": ["1"]}, "Diagnosis pointers are numbers such as 1, 2."),
        ({"diagnosis_pointers": [True]}, "Diagnosis pointers are numbers such as 1, 2."),
        ({"diagnosis_pointers": 1}, "Diagnosis pointers are numbers such as 1, 2."),
        ({"code": "9" * 21}, "A billing code has at most 20 characters."),
    ],
)
def test_a_draft_edit_with_pointers_not_numbers_or_a_long_code_is_refused(
    us_clinic, desk, bad, message
):
    draft = signed(["cervical"]).charge_drafts.get()
    fields = {"code": "98940", "modifiers": [], "units": 1, "diagnosis_pointers": [1]}

    with pytest.raises(BillingError, match=message):
        charges.update_draft(draft.pk, by=desk, amount=100, **{**fields, **bad})

    draft.refresh_from_db()
    assert (draft.code, draft.amount, draft.diagnosis_pointers) == ("98940", 4500, [1, 2])


def test_a_draft_reads_as_its_code_and_status(us_clinic):
    draft = signed(["cervical"]).charge_drafts.get()

    assert str(draft) == "98940 (To review)"
