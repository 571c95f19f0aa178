"""Booking settings and appointment types stay within what the schedule can compute with:
the forms say so, and the database refuses a value from any other path."""

import pytest
from django.db import IntegrityError, transaction

from sotclinic.accounts.models import Role
from sotclinic.scheduling.models import AppointmentType, ClinicSettings
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db

RULES = {
    "slot_step_minutes": "15",
    "min_notice_minutes": "60",
    "horizon_days": "30",
    "cancellation_window_hours": "12",
    "reminder_hours": "24",
}


def _clinic_page_post(location, **rules) -> dict:
    data = {
        "loc-name": location.name,
        "loc-time_zone": location.time_zone,
        "page-tagline": "",
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
        "faq-TOTAL_FORMS": "0",
        "faq-INITIAL_FORMS": "0",
    }
    data.update({f"rules-{k}": v for k, v in {**RULES, **rules}.items()})
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("horizon_days", "2000000000"),
        ("horizon_days", "0"),
        ("slot_step_minutes", "1"),
        ("min_notice_minutes", "99999999"),
        ("cancellation_window_hours", "100000"),
        ("reminder_hours", "0"),
    ],
)
def test_clinic_page_refuses_a_booking_rule_out_of_range_and_saves_nothing(client, field, value):
    location = make_location(name="Harbour Street")
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post("/staff/clinic-page/", _clinic_page_post(location, **{field: value}))

    assert response.status_code == 422
    assert "Give a number from" in response.text
    assert getattr(ClinicSettings.load(), field) == ClinicSettings._meta.get_field(field).default


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("horizon_days", 2_000_000_000),
        ("slot_step_minutes", 100_000),
        ("min_notice_minutes", 10**9),
        ("cancellation_window_hours", 10**9),
        ("reminder_hours", 10**9),
    ],
)
def test_database_refuses_a_booking_rule_out_of_range_from_any_path(field, value):
    ClinicSettings.load()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicSettings.objects.filter(pk=1).update(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"), [("duration_minutes", 2_000_000_000), ("buffer_minutes", 10**7)]
)
def test_database_refuses_an_appointment_type_length_out_of_range(field, value):
    kind = make_appointment_type()

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentType.objects.filter(pk=kind.pk).update(**{field: value})


def test_public_slot_listing_works_at_the_longest_allowed_horizon(client):
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(horizon_days=730)

    response = client.get(f"/portal/book/?type={kind.pk}&practitioner=any&from=2199-12-01")

    assert response.status_code == 200


@pytest.mark.parametrize("formset", ["people", "faq"])
def test_clinic_page_refuses_a_forged_form_count_without_building_the_forms(client, formset):
    location = make_location(name="Harbour Street")
    client.force_login(make_user(Role.FRONT_DESK))
    data = _clinic_page_post(location)
    data[f"{formset}-TOTAL_FORMS"] = "99999999"

    response = client.post("/staff/clinic-page/", data)

    assert response.status_code == 422
    assert len(response.context[formset].forms) <= 50
