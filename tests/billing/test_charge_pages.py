"""The charges pages over real HTTP: the open list, a visit's lines edited, posted, discarded,
added by hand and paid with a package; refusals answer 4xx with the reason and write nothing;
every view and change is access-logged."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import packages
from sotclinic.billing.models import Account, ChargeDraft, LedgerEntry, PackageProduct
from tests.billing.billing_factories import make_schedule, make_service, price, set_clinic_currency
from tests.factories import make_user, make_visit, sign_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    set_clinic_currency("USD")
    schedule = make_schedule("USD")
    services = {}
    for code, amount in [("98940", 4500), ("98941", 5500), ("99213", 9000)]:
        services[code] = make_service(code, "cpt", name=f"Line {code}")
        price(services[code], amount, schedule)
    return services


@pytest.fixture
def desk(login):
    user = make_user(Role.FRONT_DESK)
    login(user)
    return user


def signed_visit():
    visit = make_visit()
    sign_visit(
        visit, adjustment_regions=["cervical", "thoracic"], diagnosis_codes=["M54.50", "M99.04"]
    )
    return visit


def row(draft, **fields):
    data = {"code": draft.code, "modifiers": "", "units": "1", "pointers": "1", "amount": "45.00"}
    data.update(fields)
    return {f"d{draft.pk}-{key}": value for key, value in data.items()}


def test_the_open_list_shows_charges_oldest_first_and_logs_one_aggregate_row(client, clinic, desk):
    first, second = signed_visit(), signed_visit()
    response = client.get("/staff/charges/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(first.patient.full_name) < body.index(second.patient.full_name)
    assert "98940" in body and "45.00" in body
    assert (
        AccessLog.objects.filter(action=Action.VIEW_CHARGES, patient=None, user=desk).count() == 1
    )


def test_a_visits_page_shows_its_lines_and_diagnoses_and_is_logged(client, clinic, desk):
    visit = signed_visit()
    response = client.get(f"/staff/visits/{visit.pk}/charges/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "M54.50" in body and "2 spinal region(s) adjusted" in body and 'value="45.00"' in body
    # The note keeps each code with its system; the page lists the codes a pointer counts.
    assert '<li value="1">M54.50</li>' in body and '<li value="2">M99.04</li>' in body
    assert "hl7.org" not in body
    assert AccessLog.objects.filter(action=Action.VIEW_CHARGES, patient=visit.patient).exists()


def test_front_desk_edits_and_posts_a_line_in_one_press(client, clinic, desk):
    visit = signed_visit()
    draft = visit.charge_drafts.get()
    response = client.post(
        f"/staff/charges/{draft.pk}/",
        {**row(draft, modifiers="gp", pointers="1, 2", amount="47.50"), "action": "post"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "posted"
    entry = draft.entry
    assert (entry.amount, entry.modifiers, entry.diagnosis_pointers, entry.created_by) == (
        4750,
        ["GP"],
        [1, 2],
        desk,
    )
    assert AccessLog.objects.filter(action=Action.POST_CHARGES, patient=visit.patient).exists()
    # Posted: it cannot change any more.
    again = client.post(f"/staff/charges/{draft.pk}/", {**row(draft, amount="1"), "action": "save"})
    assert again.status_code == 409 and "already posted" in again.content.decode()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 4750


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"amount": "-1"}, "cannot be negative"),
        ({"amount": "45.555"}, "at most 2 decimal places"),
        ({"pointers": "x"}, "numbers separated by commas"),
        ({"units": "0"}, "greater than or equal to 1"),
    ],
)
def test_a_bad_field_answers_400_on_the_line_and_changes_nothing(
    client, clinic, desk, fields, message
):
    visit = signed_visit()
    draft = visit.charge_drafts.get()
    response = client.post(
        f"/staff/charges/{draft.pk}/", {**row(draft, **fields), "action": "post"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.amount) == ("open", 4500)


def test_a_pointer_beyond_the_visits_diagnoses_is_refused_with_409(client, clinic, desk):
    visit = signed_visit()
    draft = visit.charge_drafts.get()
    response = client.post(
        f"/staff/charges/{draft.pk}/", {**row(draft, pointers="3"), "action": "save"}
    )
    assert response.status_code == 409 and "pointer 3 points to none" in response.content.decode()
    draft.refresh_from_db()
    assert draft.diagnosis_pointers == [1, 2]


def test_discard_and_an_unknown_action(client, clinic, desk):
    draft = signed_visit().charge_drafts.get()
    assert client.post(f"/staff/charges/{draft.pk}/", {"action": "nothing"}).status_code == 400
    assert client.post(f"/staff/charges/{draft.pk}/", {"action": "discard"}).status_code == 302
    assert ChargeDraft.objects.get(pk=draft.pk).status == "discarded"


def test_adding_a_line_by_hand_takes_the_fee_and_25_beside_a_manipulation(client, clinic, desk):
    visit = signed_visit()
    response = client.post(
        f"/staff/visits/{visit.pk}/charges/add/", {"service": clinic["99213"].pk, "amount": ""}
    )
    assert response.status_code == 302
    added = visit.charge_drafts.get(code="99213")
    assert (added.amount, added.modifiers, added.diagnosis_pointers) == (9000, ["25"], [1, 2])
    unpriced = make_service("97140", "cpt", name="Manual therapy")
    refused = client.post(
        f"/staff/visits/{visit.pk}/charges/add/", {"service": unpriced.pk, "amount": ""}
    )
    assert refused.status_code == 409 and "has no price in USD" in refused.content.decode()
    typed = client.post(
        f"/staff/visits/{visit.pk}/charges/add/", {"service": unpriced.pk, "amount": "30"}
    )
    assert typed.status_code == 302 and visit.charge_drafts.get(code="97140").amount == 3000
    bad = client.post(f"/staff/visits/{visit.pk}/charges/add/", {"service": "999999", "amount": ""})
    assert bad.status_code == 400


def test_posting_the_visit_with_a_package_credits_it(client, clinic, desk):
    visit = signed_visit()
    product = PackageProduct.objects.create(
        name="Ten visits", visits=10, price=40000, currency="USD"
    )
    package = packages.sell_package(visit.patient, product, by=desk)
    page = client.get(f"/staff/visits/{visit.pk}/charges/").content.decode()
    assert "Ten visits: 10 of 10 visits left" in page
    response = client.post(f"/staff/visits/{visit.pk}/charges/post/", {"package": package.pk})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.visits_left == 9
    assert Account.objects.get(patient=visit.patient).balance == 40000
    again = client.post(f"/staff/visits/{visit.pk}/charges/post/", {"package": ""})
    assert again.status_code == 409 and "no open charges" in again.content.decode()


def test_someone_elses_package_is_not_a_choice(client, clinic, desk):
    visit, other = signed_visit(), signed_visit()
    product = PackageProduct.objects.create(name="Five", visits=5, price=100, currency="USD")
    theirs = packages.sell_package(other.patient, product, by=desk)
    response = client.post(f"/staff/visits/{visit.pk}/charges/post/", {"package": theirs.pk})
    assert response.status_code == 400
    assert visit.charge_drafts.get().status == "open"


def test_patients_cannot_open_the_charges_pages(client, login, clinic):
    visit = signed_visit()
    login(make_user(Role.PATIENT))
    assert client.get(f"/staff/visits/{visit.pk}/charges/").status_code == 403
    assert client.get("/staff/charges/").status_code == 403


def test_selling_a_package_and_a_membership_and_charging_a_month(client, clinic, desk):
    from sotclinic.billing.models import Membership, MembershipPlan
    from tests.factories import make_patient

    patient = make_patient()
    product = PackageProduct.objects.create(
        name="Six visits", visits=6, price=24000, currency="USD"
    )
    plan = MembershipPlan.objects.create(name="Monthly care", monthly_fee=4900, currency="USD")
    assert (
        client.post(
            f"/staff/patients/{patient.pk}/packages/sell/", {"product": product.pk}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/staff/patients/{patient.pk}/packages/sell/", {"plan": plan.pk}).status_code
        == 302
    )
    assert client.post(f"/staff/patients/{patient.pk}/packages/sell/", {}).status_code == 400
    membership = Membership.objects.get(patient=patient)
    month = membership.started_on.strftime("%Y-%m")
    assert (
        client.post(f"/staff/memberships/{membership.pk}/charge/", {"month": month}).status_code
        == 302
    )
    twice = client.post(f"/staff/memberships/{membership.pk}/charge/", {"month": month})
    assert twice.status_code == 409 and "already charged" in twice.content.decode()
    assert (
        client.post(f"/staff/memberships/{membership.pk}/charge/", {"month": "13"}).status_code
        == 400
    )
    assert Account.objects.get(patient=patient).balance == 24000 + 4900
    page = client.get(f"/staff/patients/{patient.pk}/packages/").content.decode()
    assert "6 of 6" in page and month in page
    detail = client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "Six visits: 6 of 6 visits left" in detail
    assert AccessLog.objects.filter(action=Action.SELL_PACKAGE, patient=patient).count() == 2
    inactive = PackageProduct.objects.create(
        name="Old", visits=1, price=1, currency="USD", active=False
    )
    refused = client.post(f"/staff/patients/{patient.pk}/packages/sell/", {"product": inactive.pk})
    assert refused.status_code == 409 and "no longer sold" in refused.content.decode()
