"""Two-factor enrolment and removal, and calendar-feed replacement and revocation, are logged:
whose account, who did it, when; the person sees their own recent events; the log is
append-only in the model and the database."""

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotclinic.accounts.models import AccountEvent, AccountEventImmutable, Role
from tests.accounts.test_two_factor import code, enrolled, password_step
from tests.factories import make_location, make_practitioner, make_user

pytestmark = pytest.mark.django_db

Kind = AccountEvent.Kind


@pytest.fixture(autouse=True)
def _fresh_failure_counters():
    cache.clear()
    yield
    cache.clear()


def test_enrolling_logs_an_event_and_the_page_lists_it(login):
    user = make_user(Role.PRACTITIONER, first_name="Anna", last_name="Weber")
    client = login(user)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get()

    client.post("/accounts/two-factor/", {"code": code(device)})

    event = AccountEvent.objects.get()
    assert (event.user, event.by, event.by_name, event.kind) == (
        user,
        user,
        "Anna Weber",
        Kind.TWO_FACTOR_ENROLLED,
    )
    page = client.get("/accounts/two-factor/").text
    assert "Recent changes" in page and "Two-factor sign-in set up" in page


def test_a_refused_enrolment_logs_nothing(login):
    client = login(make_user(Role.PRACTITIONER))
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get()

    client.post("/accounts/two-factor/", {"code": f"{(int(code(device)) + 1) % 1_000_000:06d}"})

    assert not AccountEvent.objects.exists()


def test_removing_logs_an_event_and_the_enrolment_page_lists_it(client):
    user = make_user(Role.FRONT_DESK, username="desk")
    device, _ = enrolled(user)
    password_step(client, "desk")
    client.post("/accounts/two-factor/code/", {"code": code(device)})

    client.post("/accounts/two-factor/remove/", {"code": "12345"})  # refused: not logged
    client.post("/accounts/two-factor/remove/", {"code": code(device, steps_ahead=1)})

    assert list(AccountEvent.objects.values_list("user", "by", "kind")) == [
        (user.pk, user.pk, Kind.TWO_FACTOR_REMOVED)
    ]
    assert "Two-factor sign-in turned off" in client.get("/accounts/two-factor/").text


def test_feed_replacement_and_revocation_are_logged_and_listed(login):
    doctor = make_practitioner(make_location())
    client = login(doctor.user)

    client.post("/staff/calendar-feed/", {"action": "new"})
    client.post("/staff/calendar-feed/", {"action": "new"})
    client.post("/staff/calendar-feed/", {"action": "revoke"})

    events = AccountEvent.objects.filter(user=doctor.user).order_by("occurred_at", "pk")
    assert [(e.kind, e.by_id) for e in events] == [
        (Kind.CALENDAR_FEED_REPLACED, doctor.user.pk),
        (Kind.CALENDAR_FEED_REPLACED, doctor.user.pk),
        (Kind.CALENDAR_FEED_REVOKED, doctor.user.pk),
    ]
    page = client.get("/staff/calendar-feed/").text
    assert "Calendar feed revoked" in page and "Calendar feed address replaced" in page


def test_the_events_of_one_person_are_not_shown_to_another(login):
    doctor = make_practitioner(make_location())
    login(doctor.user).post("/staff/calendar-feed/", {"action": "new"})
    other = make_practitioner(make_location())

    page = login(other.user).get("/staff/calendar-feed/").text

    assert "Recent changes" not in page


def test_superusers_see_the_events_read_only_in_the_back_office(client):
    doctor = make_practitioner(make_location())
    client.force_login(doctor.user)
    client.post("/staff/calendar-feed/", {"action": "new"})
    event = AccountEvent.objects.get()
    admin = make_user(Role.FRONT_DESK, is_staff=True, is_superuser=True)
    clerk = make_user(Role.FRONT_DESK, is_staff=True)
    client.force_login(clerk)
    hidden = client.get("/admin/accounts/accountevent/")
    client.force_login(admin)

    listing = client.get("/admin/accounts/accountevent/")
    detail = client.get(f"/admin/accounts/accountevent/{event.pk}/change/")
    delete = client.get(f"/admin/accounts/accountevent/{event.pk}/delete/")

    assert hidden.status_code == 403
    assert listing.status_code == 200 and "Calendar feed address replaced" in listing.text
    assert detail.status_code == 200 and 'name="_save"' not in detail.text
    assert delete.status_code == 403


def test_the_model_and_the_database_refuse_changes():
    user = make_user(Role.PRACTITIONER)
    event = AccountEvent.objects.create(user=user, by=user, kind=Kind.TWO_FACTOR_ENROLLED)

    with pytest.raises(AccountEventImmutable):
        event.save()
    with pytest.raises(AccountEventImmutable):
        event.delete()
    with pytest.raises(AccountEventImmutable):
        AccountEvent.objects.all().delete()
    for sql in (
        "UPDATE accounts_accountevent SET kind = 'x'",
        "DELETE FROM accounts_accountevent",
        "TRUNCATE accounts_accountevent"
        if connection.vendor == "postgresql"
        else f"INSERT OR REPLACE INTO accounts_accountevent (id, user_id, kind, by_name, "
        f"occurred_at) VALUES ({event.pk}, {user.pk}, 'x', '', '2020-01-01')",
    ):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)

    assert AccountEvent.objects.get().kind == Kind.TWO_FACTOR_ENROLLED
