"""Every ``next`` a view redirects to stays on this site."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from tests.factories import make_appointment, make_location, make_open_practitioner, make_user

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
]


@pytest.fixture
def appointment():
    location = make_location()
    doctor = make_open_practitioner(location)
    start = timezone.now() + dt.timedelta(days=2)
    return make_appointment(doctor, start.replace(hour=10, minute=0, second=0, microsecond=0))


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_appointment_cancel_does_not_follow_a_next_to_another_site(login, appointment, next_url):
    client = login(make_user(Role.FRONT_DESK))

    response = client.post(
        f"/staff/appointments/{appointment.pk}/cancel/", {"reason": "illness", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/calendar/?view=week")


def test_appointment_cancel_follows_a_next_on_this_site(login, appointment):
    client = login(make_user(Role.FRONT_DESK))

    response = client.post(
        f"/staff/appointments/{appointment.pk}/cancel/", {"reason": "illness", "next": "/staff/"}
    )

    assert response["Location"] == "/staff/"


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_back_office_log_in_does_not_follow_a_next_to_another_site(client, next_url):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))

    response = client.get("/admin/login/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_code_step_does_not_follow_a_next_to_another_site(login, next_url):
    client = login(make_user(Role.PRACTITIONER))

    response = client.get("/accounts/two-factor/code/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
