"""A FHIR date without a time zone is read on the clinic's clock (its location's zone): an
appointment at half past midnight in Auckland is on that Auckland day, though it is still the
day before in UTC. An instant with a zone stays as given."""

import datetime as dt
import zoneinfo

import pytest

from tests.factories import make_appointment, make_location, make_practitioner, make_visit

from .conftest import make_token

pytestmark = pytest.mark.django_db


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["resource"]["id"] for entry in response.json().get("entry", [])]


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("Pacific/Auckland", dt.datetime(2030, 3, 5, 0, 30)),  # 2030-03-04 11:30 UTC
        ("America/Los_Angeles", dt.datetime(2030, 3, 5, 23, 30)),  # 2030-03-06 07:30 UTC
    ],
)
def test_a_day_is_the_clinics_day_and_an_instant_with_a_zone_is_as_given(fhir, zone, local):
    doctor = make_practitioner(make_location(time_zone=zone))
    start = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    booked = str(make_appointment(doctor, start).pk)
    token = make_token("system/*.read")
    utc = start.astimezone(dt.UTC)
    instant = f"{utc:%Y-%m-%dT%H:%M:%S}Z"

    assert _ids(fhir("Appointment", token, date="2030-03-05")) == [booked]
    assert _ids(fhir("Appointment", token, date=f"{utc:%Y-%m-%d}")) == (
        [booked] if utc.date() == local.date() else []
    )
    assert _ids(fhir("Appointment", token, date=["ge2030-03-05", "lt2030-03-06"])) == [booked]
    assert _ids(fhir("Appointment", token, date="2030-03")) == [booked]
    assert _ids(fhir("Appointment", token, date=f"ge{instant}")) == [booked]
    assert _ids(fhir("Appointment", token, date=f"lt{instant}")) == []
    assert _ids(fhir("Appointment", token, date=f"{local:%Y-%m-%dT%H:%M:%S}")) == [booked]
    assert _ids(fhir("Appointment", token, date=f"{local:%Y-%m-%dT%H:%M:%S}+00:00")) == []


def test_an_encounter_near_midnight_is_found_on_the_clinics_day(fhir):
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    doctor = make_practitioner(make_location(time_zone="Pacific/Auckland"))
    visit = make_visit(doctor, started_at=dt.datetime(2030, 7, 1, 0, 15, tzinfo=zone))
    token = make_token("system/*.read")

    assert _ids(fhir("Encounter", token, date="2030-07-01")) == [str(visit.pk)]
    assert _ids(fhir("Encounter", token, date="2030-06-30")) == []
    assert _ids(fhir("Encounter", token, date="2030-06")) == []


def test_a_day_across_a_clock_change_is_the_clinics_whole_day(fhir):
    # Los Angeles moves its clocks forward on 2030-03-10: that day has 23 hours.
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    doctor = make_practitioner(make_location(time_zone="America/Los_Angeles"))
    late = make_appointment(doctor, dt.datetime(2030, 3, 10, 23, 30, tzinfo=zone))
    next_day = make_appointment(doctor, dt.datetime(2030, 3, 11, 0, 30, tzinfo=zone))
    token = make_token("system/*.read")

    assert _ids(fhir("Appointment", token, date="2030-03-10")) == [str(late.pk)]
    assert _ids(fhir("Appointment", token, date="2030-03-11")) == [str(next_day.pk)]
