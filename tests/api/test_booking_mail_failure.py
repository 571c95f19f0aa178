"""A mail server that refuses every connection: bookings still succeed over real HTTP, the
confirmation waits in the outbox, and a retry of the same booking returns that booking."""

import datetime as dt
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache
from django.utils import timezone

from sotclinic.messaging.models import Message
from sotclinic.scheduling.links import appointment_for_token
from sotclinic.scheduling.models import Appointment
from tests.factories import make_appointment_type, make_location, make_open_practitioner

pytestmark = pytest.mark.django_db(transaction=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, data: bytes, content_type: str, opener=None):
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": content_type}, method="POST"
    )
    opener = opener or urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture
def clinic():
    cache.clear()
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)
    yield doctor, kind, start
    cache.clear()


def _body(kind, doctor, start, **changes):
    return {
        "appointment_type": kind.pk,
        "practitioner": doctor.pk,
        "start": start.isoformat(),
        "first_name": "Olivia",
        "last_name": "Smith",
        "email": "olivia@example.com",
        "phone": "+44 117 496 0001",
        "date_of_birth": "1985-03-04",
        "consent": True,
        **changes,
    }


def _api_booking(live_server, body):
    status, _, raw = _post(
        f"{live_server.url}/api/v1/bookings", json.dumps(body).encode(), "application/json"
    )
    return status, json.loads(raw)


def test_api_booking_answers_201_and_queues_the_confirmation_when_mail_is_down(
    live_server, smtp_down, clinic
):
    doctor, kind, start = clinic

    status, booking = _api_booking(live_server, _body(kind, doctor, start))

    assert status == 201
    assert Appointment.objects.get().pk == booking["id"]
    [message] = Message.objects.all()
    assert message.kind == "booking.confirmation"
    assert message.status == Message.Status.PENDING
    assert "ConnectionRefusedError" in message.last_error


def test_api_retry_of_the_same_booking_returns_it_without_booking_twice(
    live_server, smtp_down, clinic
):
    doctor, kind, start = clinic

    first = _api_booking(live_server, _body(kind, doctor, start))
    again = _api_booking(live_server, _body(kind, doctor, start, first_name=" olivia "))

    assert first[0] == again[0] == 201
    assert again[1] == first[1]
    assert Appointment.objects.count() == 1
    assert Message.objects.count() == 1  # the retry queues no second confirmation


def test_same_slot_with_someone_elses_name_is_still_taken(live_server, smtp_down, clinic):
    doctor, kind, start = clinic
    _api_booking(live_server, _body(kind, doctor, start))

    status, answer = _api_booking(live_server, _body(kind, doctor, start, first_name="Mallory"))

    assert status == 409
    assert "manage_url" not in answer
    assert Appointment.objects.count() == 1


def test_portal_booking_shows_the_confirmation_and_a_retry_lands_on_it_when_mail_is_down(
    live_server, smtp_down, clinic
):
    doctor, kind, start = clinic
    query = urllib.parse.urlencode(
        {"type": kind.pk, "practitioner": doctor.pk, "start": start.isoformat()}
    )
    url = f"{live_server.url}/portal/book/?{query}"
    browser = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = browser.open(url, timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "first_name": "Olivia",
            "last_name": "Smith",
            "email": "olivia@example.com",
            "phone": "+44 117 496 0001",
            "date_of_birth": "1985-03-04",
            "consent": "on",
        }
    ).encode()

    first = _post(url, form, "application/x-www-form-urlencoded", browser)
    again = _post(url, form, "application/x-www-form-urlencoded", browser)

    assert first[0] == again[0] == 302
    tokens = [
        re.fullmatch(r"/portal/book/confirmed/([^/]+)/", answer[1]["Location"]).group(1)
        for answer in (first, again)
    ]
    assert {appointment_for_token(token).pk for token in tokens} == {Appointment.objects.get().pk}
    assert Message.objects.get().status == Message.Status.PENDING
