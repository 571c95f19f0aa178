import pytest
from django.contrib.auth.hashers import identify_hasher

from sotclinic.accounts.models import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_visitor_is_sent_to_log_in_from_staff_pages(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_patient_cannot_open_staff_pages(login, url):
    client = login(make_user(Role.PATIENT))

    response = client.get(url)

    assert response.status_code == 403
    assert b"may not open this page" in response.content


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DESK])
def test_staff_roles_open_the_staff_home(login, role):
    client = login(make_user(role))

    assert client.get("/staff/").status_code == 200


def test_deactivated_staff_account_loses_access_at_once(login):
    user = make_user(Role.PRACTITIONER)
    client = login(user)
    user.is_active = False
    user.save()

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_cannot_open_patient_pages(login):
    client = login(make_user(Role.FRONT_DESK))

    assert client.get("/portal/").status_code == 403


def test_patient_opens_own_portal_page(login):
    client = login(make_user(Role.PATIENT))

    response = client.get("/portal/")

    assert response.status_code == 200
    assert b"My page" in response.content


def test_log_in_with_right_password_lands_on_staff_home(client):
    make_user(Role.PRACTITIONER, username="doc")

    response = client.post("/accounts/login/", {"username": "doc", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_log_in_with_wrong_password_says_so_and_does_not_log_in(client):
    make_user(Role.PRACTITIONER, username="doc")

    response = client.post("/accounts/login/", {"username": "doc", "password": "nope"})

    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_repeated_failed_log_ins_are_paused_even_with_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(Role.PRACTITIONER, username="doc")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "doc", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "doc", "password": PASSWORD})

    assert b"Too many failed log-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_log_out_ends_the_session(login):
    client = login(make_user(Role.PRACTITIONER))

    client.post("/accounts/logout/")

    assert client.get("/staff/").status_code == 302


def test_change_password_requires_the_old_one_and_stores_argon2(login):
    user = make_user(Role.PRACTITIONER)
    client = login(user)

    wrong = client.post(
        "/accounts/password/",
        {
            "old_password": "bad",
            "new_password1": "a new long passphrase 42",
            "new_password2": "a new long passphrase 42",
        },
    )
    right = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase 42",
            "new_password2": "a new long passphrase 42",
        },
    )

    assert wrong.status_code == 200 and b"old password was entered incorrectly" in wrong.content
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new long passphrase 42")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_admin_is_not_open_to_non_superusers(login):
    client = login(make_user(Role.FRONT_DESK))

    assert client.get("/admin/").status_code == 302
