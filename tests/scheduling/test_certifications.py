"""SOT certification: a body and one of that body's own levels, each from a source."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from sotclinic.accounts.models import Role
from sotclinic.scheduling import certifications
from sotclinic.scheduling.models import Practitioner
from tests.factories import make_location, make_practitioner, make_user

pytestmark = pytest.mark.django_db


def _levels(body_id):
    return [level.name for level in certifications.body(body_id).levels]


def test_each_body_awards_the_levels_its_own_page_names():
    assert _levels("soto_usa") == ["Certified SOT Practitioner (CSP)", "Cranial"]
    assert _levels("soto_europe") == ["SOT Proficiency", "Advanced SOT Proficiency", "Cranial"]
    assert _levels("soto_australasia") == [
        "Basic",
        "Advanced",
        "Craniopath",
        "Diplomate",
        "Fellow",
    ]
    for body in certifications.bodies():
        assert "http" in body.source and "'" in body.source  # a page, and a quotation from it


def test_sorsi_is_the_parent_of_every_certifying_body_and_cannot_be_chosen_itself():
    assert certifications.body("sorsi").parent is None
    assert {b.parent for b in certifications.certifying_bodies()} == {"sorsi"}
    assert "sorsi" not in dict(certifications.body_choices())


@pytest.mark.parametrize(
    ("body", "level", "message"),
    [
        ("soto_australasia", "advanced_proficiency", "SOTO Australasia awards these levels"),
        ("soto_usa", "proficiency", "SOTO-USA awards these levels"),
        ("", "cranial", "Choose the body"),
        ("soto_europe", "", "Choose the level SOTO Europe awarded"),
        ("sorsi", "cranial", "one of the certifying bodies"),
    ],
)
def test_a_level_that_is_not_the_bodys_own_is_refused_with_a_message(body, level, message):
    practitioner = make_practitioner(make_location())
    practitioner.certification_body, practitioner.certification_level = body, level

    with pytest.raises(ValidationError, match=message):
        practitioner.full_clean()


def test_the_database_itself_refuses_a_level_of_another_body():
    practitioner = make_practitioner(make_location())

    with pytest.raises(IntegrityError), transaction.atomic():
        Practitioner.objects.filter(pk=practitioner.pk).update(
            certification_body="soto_australasia", certification_level="proficiency"
        )


def test_the_public_pages_show_the_body_and_level_by_the_bodys_names(client):
    location = make_location()
    practitioner = make_practitioner(location, display_name="Dr. Lee")
    practitioner.certification_body = "soto_europe"
    practitioner.certification_level = "advanced_proficiency"
    practitioner.sot_certification = "old free text"
    practitioner.save()

    home = client.get("/").content.decode()

    assert "SOTO Europe: Advanced SOT Proficiency" in home
    assert "old free text" not in home


def test_staff_choosing_a_level_of_another_body_get_a_message_and_nothing_is_saved(client):
    location = make_location(name="Harbour")
    doctor = make_practitioner(location, display_name="Dr. Lee")
    client.force_login(make_user(Role.FRONT_DESK))
    page = client.get("/staff/clinic-page/")
    data = _clinic_page_post(page, doctor)
    data.update(
        {
            "people-0-certification_body": "soto_usa",
            "people-0-certification_level": "fellow",
            "people-0-display_name": "Dr. Renamed",
        }
    )

    response = client.post("/staff/clinic-page/", data)

    assert response.status_code == 422
    assert "SOTO-USA awards these levels" in response.content.decode()
    doctor.refresh_from_db()
    assert (doctor.display_name, doctor.certification_body) == ("Dr. Lee", "")


def _clinic_page_post(page, doctor):
    """The clinic page form as the browser would send it back unchanged."""
    data = {}
    for name in ("location_form", "page_form", "rules_form"):
        form = page.context[name]
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else value
    people, faq = page.context["people"], page.context["faq"]
    for formset in (people, faq):
        management = formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                value = field.value()
                if value is None or field.name in ("photo", "DELETE"):
                    continue
                data[field.html_name] = value
    return data


def test_the_uk_demo_clinic_uses_soto_europe_names_and_a_second_run_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    first = {p.display_name: p.certification_display for p in Practitioner.objects.all()}

    call_command("demo", stdout=io.StringIO())
    second = {p.display_name: p.certification_display for p in Practitioner.objects.all()}

    assert first == {
        "Dr. Anna Weber": "SOTO Europe: Cranial",
        "Dr. Ben Okafor": "SOTO Europe: SOT Proficiency",
    }
    assert second == first


def test_the_booking_api_lists_each_practitioners_body_and_level(client):
    practitioner = make_practitioner(make_location(), display_name="Dr. Lee")
    Practitioner.objects.filter(pk=practitioner.pk).update(
        certification_body="soto_usa", certification_level="csp"
    )

    listed = client.get("/api/v1/practitioners").json()

    assert [p["sot_certification"] for p in listed] == [
        "SOTO-USA: Certified SOT Practitioner (CSP)"
    ]
