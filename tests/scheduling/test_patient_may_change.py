"""`patient_may_change`: the one rule for moving or cancelling through the signed link, at its
edges, and the service and the portal's manage page agreeing on it."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.scheduling import services
from sotclinic.scheduling.errors import ChangeNotAllowed
from sotclinic.scheduling.links import manage_token
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import make_appointment, make_location, make_open_practitioner

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 6, 3, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def doctor():
    settings = ClinicSettings.load()
    settings.cancellation_window_hours = 24
    settings.save()
    return make_open_practitioner(make_location())


def _at(doctor, start, **extra):
    return make_appointment(doctor, start, **extra)


def test_exactly_the_window_before_the_start_may_still_change(doctor):
    appointment = _at(doctor, NOW + dt.timedelta(hours=24))

    assert services.patient_may_change(appointment, NOW)


def test_one_second_inside_the_window_may_not_change(doctor):
    appointment = _at(doctor, NOW + dt.timedelta(hours=24) - dt.timedelta(seconds=1))

    assert not services.patient_may_change(appointment, NOW)


@pytest.mark.parametrize(
    "status",
    [
        Appointment.Status.CANCELLED,
        Appointment.Status.ARRIVED,
        Appointment.Status.NO_SHOW,
        Appointment.Status.COMPLETED,
    ],
)
def test_an_appointment_no_longer_booked_may_not_change(doctor, status):
    appointment = _at(doctor, NOW + dt.timedelta(days=7), status=status)

    assert not services.patient_may_change(appointment, NOW)


def test_a_past_appointment_may_not_change_even_without_a_window(doctor):
    settings = ClinicSettings.load()
    settings.cancellation_window_hours = 0
    settings.save()
    started = _at(doctor, NOW)
    past = _at(doctor, NOW - dt.timedelta(days=1))

    assert not services.patient_may_change(started, NOW)
    assert not services.patient_may_change(past, NOW)
    assert services.patient_may_change(_at(doctor, NOW + dt.timedelta(hours=2)), NOW)


def test_the_service_refuses_where_the_policy_says_no_and_cancels_where_it_says_yes(doctor):
    inside = _at(doctor, NOW + dt.timedelta(hours=23))
    edge = _at(doctor, NOW + dt.timedelta(hours=24))

    with pytest.raises(ChangeNotAllowed):
        services.cancel_appointment(inside, by_patient=True, now=NOW)
    services.cancel_appointment(edge, by_patient=True, now=NOW)

    inside.refresh_from_db()
    edge.refresh_from_db()
    assert inside.status == Appointment.Status.BOOKED
    assert edge.status == Appointment.Status.CANCELLED


def test_manage_page_offers_changes_only_where_the_policy_allows(client, doctor):
    now = timezone.now()
    later = _at(doctor, now + dt.timedelta(hours=25))
    soon = _at(doctor, now + dt.timedelta(hours=23))

    open_page = client.get(f"/portal/booking/{manage_token(later)}/")
    closed_page = client.get(f"/portal/booking/{manage_token(soon)}/")

    assert "Move to another time" in open_page.text
    assert "Move to another time" not in closed_page.text
    assert "up to 24 hours before the appointment" in closed_page.text
