"""The waitlist's pages: the staff list (filters, access log, removing), adding from the
patient page, joining from the public booking page or the portal, and an offer's link."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.patients.models import Patient
from sotclinic.scheduling import services, waitlist
from sotclinic.scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_attempt_counts():
    cache.clear()  # booking attempts counted by earlier tests from the same address


@pytest.fixture
def clinic():
    location = make_location(time_zone="Europe/London")
    anna = make_open_practitioner(location, "08:00", "18:00", display_name="Dr. Anna Weber")
    kind = make_appointment_type([anna], name="Follow-up", duration_minutes=30, buffer_minutes=0)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=location.tz).astimezone(dt.UTC)
    return {"location": location, "anna": anna, "kind": kind, "day": day, "start": start}


def _wish_post(clinic, **extra) -> dict:
    data = {
        "appointment_type": clinic["kind"].pk,
        "practitioner": "",
        "weekdays": [str(clinic["day"].weekday())],
        "earliest": "08:00",
        "latest": "12:00",
        "first_day": "",
        "last_day": "",
        "note": "Mornings only",
    }
    return {**data, **extra}


def _entry(clinic, patient=None, **extra):
    wish = {
        "appointment_type": clinic["kind"],
        "practitioner": None,
        "weekdays": [clinic["day"].weekday()],
        "earliest": dt.time(8),
        "latest": dt.time(12),
        "source": WaitlistEntry.Source.STAFF,
    }
    return waitlist.add_to_waitlist(patient=patient or make_patient(), **{**wish, **extra})


def test_the_staff_waitlist_lists_the_open_wishes_and_logs_one_aggregate_row(client, clinic):
    olivia = make_patient(first_name="Olivia", last_name="Smith")
    _entry(clinic, olivia, note="After school", weekdays=range(7))
    gone = _entry(clinic, make_patient(first_name="Henry", last_name="Clarke"))
    waitlist.remove_from_waitlist(gone, by=None)
    front = make_user(Role.FRONT_DESK)
    client.force_login(front)

    page = client.get(f"/staff/waitlist/?practitioner={clinic['anna'].pk}").text

    assert "Smith, Olivia" in page and "After school" in page and "Clarke" not in page
    assert "Every day" in page
    rows = AccessLog.objects.filter(action=Action.VIEW_WAITLIST)
    assert rows.count() == 1 and rows.get().patient_id is None
    assert f"practitioner={clinic['anna'].pk}" in rows.get().detail
    closed = client.get("/staff/waitlist/?state=closed").text
    assert "Clarke, Henry" in closed and "Smith" not in closed


def test_patients_may_not_open_the_staff_waitlist(client, clinic):
    client.force_login(make_user(Role.PATIENT))
    assert client.get("/staff/waitlist/").status_code == 403


def test_front_desk_adds_a_patient_from_their_page(client, clinic):
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))
    assert "/waitlist/" in client.get(f"/staff/patients/{patient.pk}/").text
    url = f"/staff/patients/{patient.pk}/waitlist/"

    refused = client.post(url, _wish_post(clinic, weekdays=[], latest="07:00"))
    added = client.post(url, _wish_post(clinic))

    assert refused.status_code == 422
    assert "Tick at least one day of the week." in refused.text
    assert "Give a time after the first one." in refused.text
    assert added.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.source, entry.note) == (patient, "staff", "Mornings only")
    assert AccessLog.objects.filter(patient=patient, action=Action.ADD_TO_WAITLIST).exists()


def test_front_desk_removes_an_entry(client, clinic):
    entry = _entry(clinic)
    user = make_user(Role.FRONT_DESK)
    client.force_login(user)

    response = client.post(f"/staff/waitlist/{entry.pk}/remove/", {"next": "https://evil.example/"})

    assert response.status_code == 302 and response.url == "/staff/waitlist/"
    entry.refresh_from_db()
    assert (entry.closed_as, entry.closed_by) == ("removed", user)
    log = AccessLog.objects.get(action=Action.REMOVE_FROM_WAITLIST)
    assert log.patient_id == entry.patient_id


def _details(**extra) -> dict:
    data = {
        "you-first_name": "Nora",
        "you-last_name": "Quinn",
        "you-email": "nora@example.com",
        "you-phone": "+44 117 496 0001",
        "you-date_of_birth": "1990-05-04",
        "you-consent": "on",
    }
    return {**data, **extra}


def test_a_visitor_joins_the_waitlist_from_the_booking_page(client, clinic):
    form = client.get(f"/portal/book/waitlist/?type={clinic['kind'].pk}&practitioner=any")
    assert form.status_code == 200 and "Days that suit" in form.text

    refused = client.post(
        "/portal/book/waitlist/", {**_wish_post(clinic), **_details(**{"you-consent": ""})}
    )
    assert refused.status_code == 422 and not WaitlistEntry.objects.exists()

    joined = client.post("/portal/book/waitlist/", {**_wish_post(clinic), **_details()})
    assert joined.status_code == 302 and joined.url == "/portal/book/waitlist/added/"
    entry = WaitlistEntry.objects.select_related("patient").get()
    assert (entry.patient.email, entry.source, entry.practitioner) == (
        "nora@example.com",
        "online",
        None,
    )


def test_a_returning_patient_joining_online_is_matched_not_registered_again(client, clinic):
    patient = make_patient(email="nora@example.com", date_of_birth=dt.date(1990, 5, 4))

    client.post("/portal/book/waitlist/", {**_wish_post(clinic), **_details()})

    assert Patient.objects.count() == 1
    assert WaitlistEntry.objects.get().patient == patient


def test_the_time_step_of_the_booking_page_offers_the_waitlist(client, clinic):
    page = client.get(f"/portal/book/?type={clinic['kind'].pk}&practitioner=any").text
    assert "/portal/book/waitlist/?type=" in page


def test_a_signed_in_patient_joins_without_typing_their_details(client, clinic):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user)
    client.force_login(user)

    response = client.post("/portal/book/waitlist/", _wish_post(clinic))

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.source, entry.created_by) == (patient, "portal", user)


def test_an_offer_link_shows_the_time_on_get_and_books_it_on_post(client, clinic):
    entry = _entry(clinic)
    appointment = make_appointment(
        clinic["anna"], clinic["start"], kind=clinic["kind"], location=clinic["location"]
    )
    services.cancel_appointment(appointment, reason="illness")
    offer = WaitlistOffer.objects.get(entry=entry)
    url = f"/portal/book/waitlist/offer/{waitlist.offer_token(offer)}/"

    shown = client.get(url)
    assert shown.status_code == 200 and "Dr. Anna Weber" in shown.text
    assert not Appointment.objects.filter(patient=entry.patient).exists()

    booked = client.post(url)
    assert booked.status_code == 302 and "/portal/book/confirmed/" in booked.url
    assert Appointment.objects.get(patient=entry.patient).start == clinic["start"]


def test_a_taken_offer_says_so_and_lists_other_times(client, clinic):
    entry = _entry(clinic)
    appointment = make_appointment(
        clinic["anna"], clinic["start"], kind=clinic["kind"], location=clinic["location"]
    )
    services.cancel_appointment(appointment, reason="illness")
    offer = WaitlistOffer.objects.get(entry=entry)
    make_appointment(
        clinic["anna"], clinic["start"], kind=clinic["kind"], location=clinic["location"]
    )

    taken = client.post(f"/portal/book/waitlist/offer/{waitlist.offer_token(offer)}/")

    assert taken.status_code == 409
    assert "This time has just been taken" in taken.text
    assert "Other free times that suit you" in taken.text
    entry.refresh_from_db()
    assert entry.is_open


def test_a_bad_offer_link_is_a_clear_400(client, clinic):
    response = client.get("/portal/book/waitlist/offer/nonsense/")
    assert response.status_code == 400


def test_the_add_form_refuses_a_practitioner_who_does_not_offer_the_type(client, clinic):
    patient = make_patient()
    stranger = make_open_practitioner(clinic["location"], display_name="Dr. Carla Ruiz")
    client.force_login(make_user(Role.FRONT_DESK))
    url = f"/staff/patients/{patient.pk}/waitlist/"

    form = client.get(url)
    refused = client.post(url, _wish_post(clinic, practitioner=stranger.pk))
    bad_days = client.post(url, _wish_post(clinic, first_day="2030-01-10", last_day="2030-01-09"))

    assert form.status_code == 200 and "Days that suit" in form.text
    assert refused.status_code == 422 and "Dr. Carla Ruiz does not offer" in refused.text
    assert "Give a day on or after the first day." in bad_days.text
    assert not WaitlistEntry.objects.exists()


def test_removing_an_entry_twice_says_it_was_closed_already(client, clinic):
    entry = _entry(clinic)
    client.force_login(make_user(Role.FRONT_DESK))
    client.post(f"/staff/waitlist/{entry.pk}/remove/")

    again = client.post(f"/staff/waitlist/{entry.pk}/remove/", follow=True)

    assert "This entry was closed already." in again.text
    assert AccessLog.objects.filter(action=Action.REMOVE_FROM_WAITLIST).count() == 1


def test_a_wish_the_service_refuses_is_shown_on_the_public_form(client, clinic):
    other = make_open_practitioner(clinic["location"], display_name="Dr. Carla Ruiz")

    refused = client.post(
        "/portal/book/waitlist/", {**_wish_post(clinic, practitioner=other.pk), **_details()}
    )
    added = client.get("/portal/book/waitlist/added/")

    assert refused.status_code == 422 and "Dr. Carla Ruiz does not offer" in refused.text
    assert "You are on the waitlist" in added.text


def test_staff_signed_in_on_the_public_form_give_details_like_anyone(client, clinic):
    client.force_login(make_user(Role.FRONT_DESK))
    page = client.get("/portal/book/waitlist/").text
    assert "Date of birth" in page


def test_an_offer_for_a_removed_wish_says_the_entry_is_closed(client, clinic):
    entry = _entry(clinic)
    appointment = make_appointment(
        clinic["anna"], clinic["start"], kind=clinic["kind"], location=clinic["location"]
    )
    services.cancel_appointment(appointment, reason="illness")
    offer = WaitlistOffer.objects.get(entry=entry)
    waitlist.remove_from_waitlist(entry, by=None)

    response = client.post(f"/portal/book/waitlist/offer/{waitlist.offer_token(offer)}/")

    assert response.status_code == 422 and "This waitlist entry is closed" in response.text


def test_too_many_attempts_from_one_address_are_refused(client, clinic, settings):
    settings.BOOKING_RATE_LIMIT = 0
    response = client.post("/portal/book/waitlist/", {**_wish_post(clinic), **_details()})

    assert response.status_code == 429 and not WaitlistEntry.objects.exists()
