"""Times are written on the clinic's clock, in e-mails and on pages, whatever the server's
TIME_ZONE: the date filters show the current time zone's time (as Django's ``date`` does), so
each page and each message makes the clinic's (or the place's) zone the current one.

The test server runs on UTC; the clinic is in Berlin (UTC+1 in winter, +2 in summer), so a
time shown on the server's clock is an hour or two early."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.messaging.models import Message
from sotclinic.messaging.services import written
from sotclinic.scheduling import services
from sotclinic.scheduling.links import manage_token
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin_booking(settings):
    assert settings.TIME_ZONE == "UTC"
    location = make_location(name="Praxis am Park", time_zone="Europe/Berlin")
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    kind = make_appointment_type([doctor], name="First visit", duration_minutes=30)
    day = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=5)
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=location.tz)
    return services.book_appointment(
        patient=make_patient(first_name="Olivia"),
        practitioner=doctor,
        appointment_type=kind,
        location=location,
        start=ten,
        by=make_user(Role.FRONT_DESK),
    )


def test_the_confirmation_gives_the_time_on_the_clinics_clock(berlin_booking):
    [message] = Message.objects.filter(kind="booking.confirmation")

    [when] = re.findall(r"When: .*", written(message).body)

    assert when.endswith(", 10:00–10:30 (Europe/Berlin)"), when


def test_the_patients_booking_page_gives_the_time_on_the_clinics_clock(client, berlin_booking):
    page = client.get(f"/portal/booking/{manage_token(berlin_booking)}/").content.decode()

    assert "10:00–10:30" in page and "09:00" not in page
