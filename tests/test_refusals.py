"""A DomainError raised by a service becomes the right 4xx in each kind of adapter: the JSON
API's one exception handler, and the HTML pages' middleware, form helper and back-to-page
decorator."""

import datetime as dt

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone

from sotclinic.errors import DomainError
from sotclinic.refusals import RefusalMiddleware, show_on_form
from sotclinic.scheduling.errors import ChangeNotAllowed, OutsideOpeningHours, SlotTaken
from sotclinic.scheduling.links import BadLink
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street Chiropractic")
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor], duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz).astimezone(dt.UTC)
    return location, doctor, kind, start


# The JSON API ---------------------------------------------------------------------------------


def _booking(kind, doctor, start):
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
    }


def test_api_answers_a_taken_slot_with_409_and_the_field(client, clinic):
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)

    response = client.post(
        "/api/v1/bookings", _booking(kind, doctor, start), content_type="application/json"
    )

    assert response.status_code == SlotTaken.status_code == 409
    assert response.json() == {
        "detail": SlotTaken().message,
        "errors": [{"field": "start", "message": SlotTaken().message}],
    }


def test_api_answers_a_refusal_with_the_errors_own_status(client, clinic):
    _, doctor, kind, _ = clinic

    response = client.get(f"/api/v1/slots?appointment_type={kind.pk + 99}&start=2030-01-01")

    assert response.status_code == 422
    message = "There is no such appointment type to book online."
    assert response.json()["errors"] == [{"field": "appointment_type", "message": message}]


# HTML pages -----------------------------------------------------------------------------------


def test_a_bad_link_escaping_a_portal_view_is_a_400_page_in_the_public_layout(client, clinic):
    response = client.get("/portal/booking/not-a-token/")

    assert response.status_code == BadLink.status_code == 400
    assert str(BadLink.message) in response.text
    assert "This link does not work" in response.text
    assert "Harbour Street Chiropractic" in response.text  # the clinic's public page


def test_a_refusal_escaping_a_staff_view_is_its_status_with_the_message(clinic):
    request = RequestFactory().get("/staff/calendar/")
    request.resolver_match = resolve("/staff/calendar/")
    request.user = make_user(role="front_desk")

    response = RefusalMiddleware(lambda r: None).process_exception(
        request, ChangeNotAllowed("This appointment is marked completed; it cannot be cancelled.")
    )

    assert response.status_code == 409
    assert b"it cannot be cancelled." in response.content


def test_other_exceptions_are_left_to_django():
    request = RequestFactory().get("/")

    assert RefusalMiddleware(lambda r: None).process_exception(request, ValueError()) is None


class _Form(forms.Form):
    time = forms.TimeField()
    outside_hours = forms.BooleanField(required=False)


def test_form_helper_shows_the_message_on_the_errors_own_field_else_the_given_one():
    own, renamed, general = _Form({}), _Form({}), _Form({})
    for form in (own, renamed, general):
        form.is_valid()

    own_status = show_on_form(own, OutsideOpeningHours("Outside hours."), field="time")
    renamed_status = show_on_form(renamed, SlotTaken(), field="time")
    general_status = show_on_form(general, DomainError("Not now."))

    assert (own_status, renamed_status, general_status) == (422, 409, 422)
    assert own.errors["outside_hours"] == ["Outside hours."]
    assert renamed.errors["time"][-1] == SlotTaken().message
    assert general.non_field_errors() == ["Not now."]


def test_staff_form_shows_a_taken_slot_next_to_the_time_with_409(client, clinic):
    location, doctor, kind, start = clinic
    make_appointment(doctor, start, kind=kind, location=location)
    client.force_login(make_user(role="front_desk"))
    local = start.astimezone(location.tz)

    response = client.post(
        "/staff/appointments/new/",
        {
            "patient": make_patient().pk,
            "appointment_type": kind.pk,
            "practitioner": doctor.pk,
            "location": location.pk,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        },
    )

    assert response.status_code == 409
    assert "already has an appointment" in response.context["form"].errors["time"][0]


def test_a_refused_action_button_goes_back_to_its_page_with_the_message(client, clinic):
    location, doctor, kind, start = clinic
    done = make_appointment(
        doctor, start, kind=kind, location=location, status=Appointment.Status.COMPLETED
    )
    client.force_login(make_user(role="front_desk"))

    response = client.post(f"/staff/appointments/{done.pk}/status/", {"action": "no_show"})

    assert response.status_code == 302
    assert response.url == f"/staff/appointments/{done.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "An appointment that is completed cannot be marked no-show."
    ]
    done.refresh_from_db()
    assert done.status == Appointment.Status.COMPLETED
