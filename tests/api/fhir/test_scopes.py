"""Which scope reads which type (sotclinic.api.fhir.scopes), without a database."""

import pytest

from sotclinic.api.fhir.scopes import RESOURCE_TYPES, SCOPE_DESCRIPTIONS, may_read


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_system_wildcard_and_own_scope_read_each_type(resource_type):
    assert may_read({"system/*.read"}, resource_type, as_practitioner=None)
    assert may_read({f"system/{resource_type}.read"}, resource_type, as_practitioner=None)
    assert not may_read(set(), resource_type, as_practitioner=None)
    assert not may_read({f"user/{resource_type}.read"}, resource_type, as_practitioner=None)


def test_user_scopes_read_clinical_types_only_for_practitioners():
    assert may_read({"user/*.read"}, "Observation", as_practitioner=True)
    assert not may_read({"user/*.read"}, "Observation", as_practitioner=False)
    assert may_read({"user/Appointment.read"}, "Appointment", as_practitioner=False)
    assert not may_read({"system/*.read"}, "Appointment", as_practitioner=False)


def test_every_scope_is_described_for_the_consent_page():
    assert len(SCOPE_DESCRIPTIONS) == 2 + 2 * len(RESOURCE_TYPES)
    assert all(SCOPE_DESCRIPTIONS.values())
