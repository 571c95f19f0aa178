"""The public booking pages and the signed manage link."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.urls import resolve
from django.utils import timezone

from sotclinic.patients.models import Patient
from sotclinic.scheduling.links import MANAGE_SALT, appointment_for_token, manage_token
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
)

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = {
    "first_name": "Olivia",
    "last_name": "Smith",
    "email": "olivia@example.com",
    "phone": "+44 117 496 0001",
    "date_of_birth": "1985-03-04",
    "consent": "on",
}


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street Chiropractic", phone="+44 117 496 0000")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, doctor, kind, start


def _details_url(kind, practitioner, start):
    when = start.isoformat().replace("+", "%2B")
    return f"/portal/book/?type={kind.pk}&practitioner={practitioner}&start={when}"


def _without_csrf(html: str) -> str:
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def test_each_step_offers_the_next_choice(client, clinic):
    _, doctor, kind, start = clinic

    types = client.get("/portal/book/")
    people = client.get(f"/portal/book/?type={kind.pk}")
    times = client.get(f"/portal/book/?type={kind.pk}&practitioner=any&day={start.date()}")
    details = client.get(_details_url(kind, doctor.pk, start))

    assert "New-patient exam" in types.text
    assert "First available" in people.text and "Dr. Anna Weber" in people.text
    assert "10:00" in times.text
    assert 'type="tel"' in details.text and 'inputmode="email"' in details.text
    assert "Confirm booking" in details.text


def test_booking_through_the_page_confirms_and_emails_a_manage_link(client, clinic):
    _, doctor, kind, start = clinic

    response = client.post(_details_url(kind, "any", start), DETAILS, follow=True)

    assert response.status_code == 200
    assert "You're booked" in response.text
    appointment = Appointment.objects.get()
    assert appointment.start == start and appointment.practitioner == doctor
    assert re.search(r"http://testserver/portal/booking/[^/\s]+/", mail.outbox[0].body)


def test_taken_slot_shows_a_clear_message_and_other_times(client, clinic):
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)

    response = client.post(_details_url(kind, doctor.pk, start), DETAILS)

    assert response.status_code == 409
    assert "just booked by someone else" in response.text
    assert Patient.objects.count() == 1  # only the one from the factory


def test_invalid_details_are_shown_next_to_the_fields(client, clinic):
    _, doctor, kind, start = clinic

    response = client.post(_details_url(kind, doctor.pk, start), {**DETAILS, "email": "nope"})

    assert response.status_code == 422
    assert "Enter a valid email address" in response.text
    assert Appointment.objects.count() == 0


def test_unknown_type_is_404(client, clinic):
    assert client.get("/portal/book/?type=999999").status_code == 404


def test_match_and_no_match_look_the_same_for_returning_patient_types(client, clinic):
    location, doctor, _, start = clinic
    follow_up = make_appointment_type([doctor], new_patients_may_book_online=False)
    make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    times = f"/portal/book/?type={follow_up.pk}&practitioner=any&day={start.date()}"
    before = _without_csrf(client.get(times).text)

    known = client.post(
        _details_url(follow_up, doctor.pk, start),
        {**DETAILS, "email": "known@example.com", "date_of_birth": "1970-05-06"},
        follow=True,
    )
    after_known = _without_csrf(client.get(times).text)
    unknown = client.post(_details_url(follow_up, doctor.pk, start), DETAILS, follow=True)
    after_unknown = _without_csrf(client.get(times).text)

    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf(known.text) == _without_csrf(unknown.text)
    assert before == after_known == after_unknown
    assert Appointment.objects.count() == 0


def _request_link(to: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [to]]
    return re.search(r"http://testserver(/portal/book/request/[^/]+/)", message.body).group(1)


def test_returning_patient_books_by_confirming_the_emailed_link(client, clinic):
    location, doctor, _, start = clinic
    follow_up = make_appointment_type([doctor], name="Follow-up visit")
    follow_up.new_patients_may_book_online = False
    follow_up.save()
    known = make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    client.post(
        _details_url(follow_up, "any", start),
        {**DETAILS, "email": "known@example.com", "date_of_birth": "1970-05-06"},
    )
    link = _request_link("known@example.com")

    shown = client.get(link)
    booked = client.post(link, follow=True)
    again = client.post(link, follow=True)

    assert shown.status_code == 200 and "Follow-up visit" in shown.text
    assert booked.status_code == again.status_code == 200
    assert "You're booked" in booked.text
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.start) == (known, start)
    # Both answers lead to the one booking's page; the signed links in them carry the time
    # they were made, so they differ when the two requests fall in different seconds.
    assert _booking_behind(booked) == _booking_behind(again) == appointment


def _booking_behind(response):
    """The appointment whose confirmation page a followed redirect chain ends on."""
    (url, _status) = response.redirect_chain[-1]
    match = resolve(urlsplit(url).path)
    assert match.url_name == "booking_confirmed"
    return appointment_for_token(match.kwargs["token"])


def test_booking_request_link_for_a_time_taken_meanwhile_says_so(client, clinic):
    location, doctor, _, start = clinic
    follow_up = make_appointment_type([doctor], new_patients_may_book_online=False)
    make_patient(email="known@example.com", date_of_birth=dt.date(1970, 5, 6))
    client.post(
        _details_url(follow_up, doctor.pk, start),
        {**DETAILS, "email": "known@example.com", "date_of_birth": "1970-05-06"},
    )
    make_appointment(doctor, start, kind=follow_up, location=location)

    response = client.post(_request_link("known@example.com"))

    assert response.status_code == 409
    assert "just booked by someone else" in response.text


def test_tampered_booking_request_link_is_a_clear_400(client, clinic):
    response = client.get("/portal/book/request/not-a-token/")

    assert response.status_code == 400
    assert "not valid" in response.text


def test_manage_link_cancels_and_frees_the_time(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    token = manage_token(appointment)

    page = client.get(f"/portal/booking/{token}/")
    response = client.post(f"/portal/booking/{token}/cancel/", follow=True)

    assert "Cancel appointment" in page.text
    assert "This appointment is cancelled" in response.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert "cancelled" in mail.outbox[-1].subject


def test_manage_link_moves_to_another_free_time(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    token = manage_token(appointment)
    new_start = start + dt.timedelta(hours=3)

    choices = client.get(f"/portal/booking/{token}/?move=1&day={start.date()}")
    response = client.post(f"/portal/booking/{token}/move/", {"start": new_start.isoformat()})

    assert "Pick a new day" in choices.text
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == new_start


@pytest.fixture
def inside_the_window(clinic):
    """A booking two days ahead, with a cancellation window longer than that."""
    location, doctor, kind, start = clinic
    settings = ClinicSettings.load()
    settings.cancellation_window_hours, settings.reminder_hours = 24 * 4, 24 * 5
    settings.save()
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    return appointment, manage_token(appointment)


def test_manage_page_inside_the_window_offers_no_cancel_or_move(client, inside_the_window):
    appointment, token = inside_the_window

    page = client.get(f"/portal/booking/{token}/")
    choices = client.get(f"/portal/booking/{token}/?move=1&day={appointment.start.date()}")

    assert page.status_code == choices.status_code == 200
    for html in (page.text, choices.text):
        assert "Changes online are possible up to 96 hours before" in html
        assert "Cancel appointment" not in html
        assert f"/portal/booking/{token}/move/" not in html
    assert "Pick a new day" not in choices.text


def test_manage_link_cannot_cancel_or_move_inside_the_window(client, inside_the_window):
    appointment, token = inside_the_window
    start = appointment.start

    cancel = client.post(f"/portal/booking/{token}/cancel/")
    move = client.post(
        f"/portal/booking/{token}/move/", {"start": (start + dt.timedelta(hours=3)).isoformat()}
    )

    assert cancel.status_code == move.status_code == 409
    assert "call the clinic" in cancel.text and "call the clinic" in move.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.start == start
    assert not mail.outbox


def test_tampered_link_is_400_and_changes_nothing(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    token = manage_token(appointment)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    page = client.get(f"/portal/booking/{forged}/")
    cancel = client.post(f"/portal/booking/{forged}/cancel/")

    assert page.status_code == cancel.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_expired_link_is_400(client, clinic):
    location, doctor, kind, start = clinic
    appointment = make_appointment(doctor, start, kind=kind, location=location)
    signer = signing.TimestampSigner(salt=MANAGE_SALT)
    old = signing.dumps(
        {"a": appointment.pk}, salt=MANAGE_SALT, compress=True
    )  # re-sign with an old timestamp
    value = signer.unsign(old)
    expired = signing.TimestampSigner(salt=MANAGE_SALT)
    expired.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 200 * 86400)
    stale = expired.sign(value)

    response = client.post(f"/portal/booking/{stale}/cancel/")

    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_cancel_inside_the_window_is_refused_with_a_reason(client, clinic):
    location, doctor, kind, _ = clinic
    soon = timezone.now() + dt.timedelta(hours=2)
    appointment = make_appointment(doctor, soon, kind=kind, location=location)

    response = client.post(f"/portal/booking/{manage_token(appointment)}/cancel/")

    assert response.status_code == 409
    assert "call the clinic" in response.text
