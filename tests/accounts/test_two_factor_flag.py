"""Whether a user has two-factor sign-in is read from the user row on every staff page (no
query of its own) and follows every change of their devices, whoever makes it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotclinic.accounts.models import Role, User
from sotclinic.accounts.two_factor import needs_code, remove_devices
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _flag(user) -> bool:
    return User.objects.get(pk=user.pk).has_two_factor


def test_the_flag_follows_devices_confirmed_and_removed():
    user = make_user(Role.PRACTITIONER)
    pending = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    assert not _flag(user)

    pending.confirmed = True
    pending.save()
    assert _flag(user) and user.has_two_factor  # the instance in hand too

    remove_devices(user)
    assert not _flag(user)


def test_a_device_deleted_outside_the_services_clears_the_flag():
    user = make_user(Role.PRACTITIONER)
    StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    assert _flag(user)

    StaticDevice.objects.filter(user=user).delete()  # as the back office or a shell would

    assert not _flag(user)


def test_a_session_of_a_user_who_set_up_a_device_elsewhere_is_asked_for_the_code(client):
    user = make_user(Role.PRACTITIONER)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200

    TOTPDevice.objects.create(user=user, name="app", confirmed=True)  # in another session

    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:verify") in response["Location"]
    assert needs_code(User.objects.get(pk=user.pk))


def test_a_staff_page_reads_no_device_table(client):
    client.force_login(make_user(Role.FRONT_DESK))

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))

    assert not [q for q in queries if "otp_" in q["sql"]]
