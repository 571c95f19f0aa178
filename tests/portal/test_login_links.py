"""Passwordless log-in: asking for a one-time link, and opening it."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.messaging.models import Message
from sotclinic.portal.login_links import (
    KIND,
    LoginLinkRefused,
    delete_old_login_links,
    use_login_link,
)
from sotclinic.portal.models import LoginLink
from sotclinic.worker import PERIODIC_TASKS
from tests.factories import make_location, make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # link requests counted by earlier tests from the same address
    yield
    cache.clear()


def _ask(client, email: str):
    return client.post("/portal/login/", {"email": email})


def _link_path(message: Message) -> str:
    return re.search(r"https?://[^/\s]+(/portal/login/[^\s/]+/)", message.body).group(1)


def _main(response) -> str:
    """The page's own content (the header carries a fresh CSRF token each time)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_known_and_an_unknown_address_get_the_same_answer(client):
    make_location(name="Harbour Street Chiropractic")
    make_patient(email="olivia@example.com", first_name="Olivia")

    known = _ask(client, "Olivia@Example.com")
    unknown = _ask(client, "nobody@example.com")

    assert (known.status_code, known["Location"]) == (302, "/portal/login/sent/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/portal/login/sent/")
    assert _main(client.get(known["Location"])) == _main(client.get(unknown["Location"]))
    [message] = Message.objects.filter(kind=KIND)
    assert message.to == ["olivia@example.com"]
    assert "Harbour Street Chiropractic" in message.subject
    assert "Olivia" in message.body


def test_only_the_hash_of_the_token_is_stored(client):
    make_patient(email="olivia@example.com")

    _ask(client, "olivia@example.com")

    link = LoginLink.objects.get()
    token = _link_path(Message.objects.get(kind=KIND)).split("/")[-2]
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert link.expires_at - link.created_at == dt.timedelta(minutes=20)
    assert str(link) == f"{link.patient_id} {link.created_at:%Y-%m-%d %H:%M}"


def test_a_bad_address_is_refused_with_a_message(client):
    response = _ask(client, "not an address")

    assert response.status_code == 422
    assert "valid email" in response.content.decode()
    assert not LoginLink.objects.exists()


def test_the_request_page_and_the_staff_login_link_to_each_other(client):
    request_page = client.get("/portal/login/").content.decode()
    staff_page = client.get("/accounts/login/").content.decode()

    assert 'href="/accounts/login/"' in request_page
    assert 'href="/portal/login/"' in staff_page


def test_the_public_home_links_to_the_patient_login(client):
    assert 'href="/portal/login/"' in client.get("/").content.decode()


def test_opening_the_link_shows_a_button_and_only_posting_logs_in(client):
    patient = make_patient(email="olivia@example.com")
    _ask(client, "olivia@example.com")
    path = _link_path(Message.objects.get(kind=KIND))

    shown = client.get(path)
    assert shown.status_code == 200
    assert LoginLink.objects.get().used_at is None  # a mail scanner's GET spends nothing

    response = client.post(path)

    assert (response.status_code, response["Location"]) == (302, "/portal/")
    patient.refresh_from_db()
    user = patient.user
    assert user.role == Role.PATIENT and not user.has_usable_password()
    assert user.email == "olivia@example.com"
    assert client.get("/portal/").status_code == 200
    assert LoginLink.objects.get().used_at is not None


def test_a_link_works_once(client):
    make_patient(email="olivia@example.com")
    _ask(client, "olivia@example.com")
    path = _link_path(Message.objects.get(kind=KIND))
    client.post(path)
    client.logout()

    again = client.post(path)
    shown = client.get(path)

    assert again.status_code == 400 and shown.status_code == 400
    assert "no longer valid" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused():
    patient = make_patient(email="olivia@example.com")
    from sotclinic.portal.login_links import request_login_link

    past = timezone.now() - dt.timedelta(minutes=21)
    request_login_link("olivia@example.com", base_url="http://testserver/", now=past)
    token = _link_path(Message.objects.get(kind=KIND)).split("/")[-2]

    with pytest.raises(LoginLinkRefused):
        use_login_link(token)
    patient.refresh_from_db()
    assert patient.user is None


def test_an_unknown_token_is_refused(client):
    response = client.post("/portal/login/made-up-token/")

    assert response.status_code == 400


def test_a_patient_with_a_login_is_logged_in_as_that_user(client):
    user = make_user(Role.PATIENT)
    make_patient(email="olivia@example.com", user=user)
    _ask(client, "olivia@example.com")

    client.post(_link_path(Message.objects.get(kind=KIND)))

    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.count() == 1


def test_a_new_login_name_steps_around_one_already_taken(client):
    patient = make_patient(email="olivia@example.com")
    make_user(Role.PATIENT, username=f"patient-{patient.pk}")
    _ask(client, "olivia@example.com")

    client.post(_link_path(Message.objects.get(kind=KIND)))

    patient.refresh_from_db()
    assert patient.user.username.startswith(f"patient-{patient.pk}-")


def test_a_shared_address_sends_links_only_to_patients_with_a_login(client):
    mother = make_patient(email="family@example.com", user=make_user(Role.PATIENT))
    make_patient(email="family@example.com")  # a child with no log-in of their own

    _ask(client, "family@example.com")

    [link] = LoginLink.objects.all()
    assert link.patient == mother


def test_a_shared_address_without_logins_sends_nothing(client):
    make_patient(email="family@example.com")
    make_patient(email="family@example.com")

    response = _ask(client, "family@example.com")

    assert response.status_code == 302
    assert not Message.objects.filter(kind=KIND).exists()


def test_a_staff_or_switched_off_login_gets_no_link(client):
    make_patient(email="desk@example.com", user=make_user(Role.FRONT_DESK))
    make_patient(email="gone@example.com", user=make_user(Role.PATIENT, is_active=False))

    _ask(client, "desk@example.com")
    _ask(client, "gone@example.com")

    assert not LoginLink.objects.exists()


def test_a_link_no_longer_logs_in_once_the_login_became_staff(client):
    user = make_user(Role.PATIENT)
    make_patient(email="olivia@example.com", user=user)
    _ask(client, "olivia@example.com")
    path = _link_path(Message.objects.get(kind=KIND))
    User.objects.filter(pk=user.pk).update(role=Role.FRONT_DESK)

    shown = client.get(path)
    response = client.post(path)

    assert shown.status_code == 400 and response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_requests_are_limited_per_address_asked_for(client, settings):
    settings.LOGIN_LINK_EMAIL_LIMIT = 2
    make_patient(email="olivia@example.com")

    answers = [_ask(client, "olivia@example.com").status_code for _ in range(3)]

    assert answers == [302, 302, 429]
    assert LoginLink.objects.count() == 2


def test_requests_are_limited_per_client_address(client, settings):
    settings.LOGIN_LINK_ADDRESS_LIMIT = 2

    answers = [_ask(client, f"someone{i}@example.com").status_code for i in range(3)]

    assert answers == [302, 302, 429]
    assert "Too many" in _ask(client, "another@example.com").content.decode()


def test_a_patient_who_came_by_link_sets_a_password_and_logs_in_with_it(client):
    patient = make_patient(email="olivia@example.com")
    _ask(client, "olivia@example.com")
    client.post(_link_path(Message.objects.get(kind=KIND)))
    new = "a long passphrase for the clinic 42"

    form = client.get("/accounts/password/")
    response = client.post("/accounts/password/", {"new_password1": new, "new_password2": new})
    client.logout()
    patient.refresh_from_db()
    logged_in = client.post(
        "/accounts/login/", {"username": patient.user.username, "password": new}
    )

    assert "Set a password" in form.content.decode()
    assert "old_password" not in form.content.decode()
    assert response.status_code == 302
    assert (logged_in.status_code, logged_in["Location"]) == (302, "/portal/")


def _link(patient, created: dt.datetime, used: dt.datetime | None = None) -> LoginLink:
    return LoginLink.objects.create(
        patient=patient,
        token_hash=hashlib.sha256(f"{patient.pk}{created}{used}".encode()).hexdigest(),
        created_at=created,
        expires_at=created + dt.timedelta(minutes=20),
        used_at=used,
    )


def test_links_used_or_expired_more_than_the_kept_days_ago_are_deleted(settings):
    settings.LOGIN_LINK_KEEP_DAYS = 7
    now = timezone.now()
    patient = make_patient(email="ada@example.org")
    old_unused = _link(patient, now - dt.timedelta(days=8))
    old_used = _link(patient, now - dt.timedelta(days=9), used=now - dt.timedelta(days=9))
    recent_expired = _link(patient, now - dt.timedelta(days=6))
    recent_used = _link(patient, now - dt.timedelta(days=2), used=now - dt.timedelta(days=2))
    live = _link(patient, now - dt.timedelta(minutes=5))

    deleted = delete_old_login_links(now)

    assert deleted == 2
    assert set(LoginLink.objects.values_list("pk", flat=True)) == {
        recent_expired.pk,
        recent_used.pk,
        live.pk,
    }
    assert not LoginLink.objects.filter(pk__in=[old_unused.pk, old_used.pk]).exists()


def test_the_worker_deletes_old_links_once_a_day():
    assert (
        "Delete old log-in links",
        "sotclinic.portal.login_links.delete_old_login_links",
        24 * 60,
    ) in PERIODIC_TASKS
