"""The search box finds a patient the way the front desk sees and hears them: the list's
"Last, First", an e-mail address's local part, accents and phone numbers in any form."""

import pytest

from tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _found(desk, typed: str) -> list[str]:
    response = desk.get("/staff/patients/", {"q": typed})
    assert response.status_code == 200
    return [f"{p.first_name} {p.last_name}" for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    "typed", ["Clarke, Henry", "clarke,henry", "CLARKE;  Henry", "henry clarke"]
)
def test_the_name_as_the_list_shows_it_finds_the_patient(desk, typed):
    make_patient(first_name="Henry", last_name="Clarke")
    make_patient(first_name="Henrietta", last_name="Clark-Smith")
    make_patient(first_name="Harry", last_name="Clarke-Jones")

    assert _found(desk, typed) == ["Henry Clarke"]


def test_a_last_name_and_an_initial_find_every_patient_they_fit(desk):
    make_patient(first_name="Henry", last_name="Clarke")
    make_patient(first_name="Harry", last_name="Clarke-Jones")
    make_patient(first_name="Anna", last_name="Clarke")

    assert _found(desk, "Clarke, H") == ["Henry Clarke", "Harry Clarke-Jones"]


@pytest.mark.parametrize("typed", ["h.clarke", "H.Clarke", "h.clarke@"])
def test_the_local_part_of_an_e_mail_address_finds_the_patient(desk, typed):
    make_patient(first_name="Henry", last_name="Clarke", email="H.Clarke@example.org")
    make_patient(first_name="Tom", last_name="Hill", email="tom@clarke.example")

    assert _found(desk, typed) == ["Henry Clarke"]


def test_accents_are_ignored_either_way(desk):
    make_patient(first_name="Zoë", last_name="Müller")
    make_patient(first_name="Zoe", last_name="Miller")

    assert _found(desk, "zoe muller") == ["Zoë Müller"]
    assert _found(desk, "Müller") == ["Zoë Müller"]


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "0044 7700 900123"])
def test_a_phone_number_with_a_country_code_or_a_leading_zero_finds_the_patient(desk, typed):
    make_patient(first_name="Henry", last_name="Clarke", phone="+447700900123")
    make_patient(first_name="Tom", last_name="Hill", phone="+447700900999")

    assert _found(desk, typed) == ["Henry Clarke"]
