"""Property-based tests of every JSON API operation against its OpenAPI schema (schemathesis).

Requests go through the real Django WSGI application in-process, against a real database with
a small clinic in it. Each operation must never answer 5xx and must answer with a documented
status code and a body that matches the documented schema.
"""

import datetime as dt

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from sotclinic.accounts.models import Role
from sotclinic.scheduling.selectors import listed_slots
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


# Serving the schema needs no database, so it loads at collection: one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

STAFF_ONLY = ["/api/v1/sot/analyze"]

# Every other built-in check runs. This one is left out because a schema-valid request may still
# break a rule no schema can state (an id that does not exist, a slot just taken, a time in the
# past, a date of birth in the future), and the contract answers those with 409 or 422.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture
def clinic(settings):
    """One location, a practitioner open every day, and two online appointment types."""
    settings.BOOKING_RATE_LIMIT = 100_000
    location = make_location()
    doctor = make_open_practitioner(location, display_name="Dr. Anna Weber")
    new_patients = make_appointment_type([doctor], name="New-patient exam", duration_minutes=45)
    returning = make_appointment_type([doctor], new_patients_may_book_online=False)
    tomorrow = timezone.now().astimezone(location.tz).date() + dt.timedelta(days=1)
    free = [s.start for s in listed_slots(new_patients, tomorrow, 7)]
    return {"doctor": doctor, "types": [new_patients, returning], "free": free, "day": tomorrow}


@schema.auth(refresh_interval=None).apply_to(path=STAFF_ONLY)
class StaffSession:
    """A signed-in practitioner's session cookie, plus the CSRF token as the staff pages send it."""

    cookies: dict[str, str] = {}

    def get(self, case, context):
        return StaffSession.cookies

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), **data}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrftoken"]}


@pytest.fixture
def staff_session():
    client = Client()
    client.force_login(make_user(Role.PRACTITIONER))
    client.get("/staff/")  # renders the CSRF token, which sets the cookie
    StaffSession.cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    yield
    StaffSession.cookies = {}


def _aim_at_the_clinic(case, clinic, choice) -> None:
    """Swap generated ids, times and contact details for the clinic's, to reach real code paths.

    Names and phone numbers stay as generated, so odd text still reaches the database, the
    e-mail and the calendar invite.
    """
    kind = choice.draw(st.sampled_from(clinic["types"]))
    target = case.query if case.path.endswith("/slots") else case.body
    if not isinstance(target, dict):
        return
    if "appointment_type" in target:
        target["appointment_type"] = kind.pk
    if "practitioner" in target and choice.draw(st.booleans()):
        target["practitioner"] = clinic["doctor"].pk
    if case.path.endswith("/slots"):
        target["start"] = clinic["day"].isoformat()
    if case.path.endswith("/bookings"):
        # A handful of times, so that some bookings collide and get 409.
        start = choice.draw(st.sampled_from(clinic["free"][:4]))
        target.update(
            start=start.isoformat(),
            email=choice.draw(st.sampled_from(["olivia@example.com", "sam@example.org"])),
            date_of_birth="1985-03-04",
            consent=True,
        )


@schema.parametrize()
@schema.given(choice=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_operation_conforms_to_its_schema(case, choice, clinic, staff_session):
    cache.clear()
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if positive and choice.draw(st.sampled_from(["aimed", "aimed", "as generated"])) == "aimed":
        _aim_at_the_clinic(case, clinic, choice)
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


@schema.exclude(path=STAFF_ONLY).parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_public_operation_answers_boundary_and_malformed_requests(case, clinic):
    """Schemathesis's coverage phase: each field at and past its limits, missing, wrong methods.

    Runs only without extra strategies, and its cases are built at collection, before a staff
    session exists; the staff-only analysis is covered by the test above.
    """
    cache.clear()
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
