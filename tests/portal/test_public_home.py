"""The clinic's public home page and the staff page that edits it."""

import io

import pytest
from django.core.management import call_command

from sotclinic.accounts.models import Role
from sotclinic.scheduling.models import ClinicSettings, FaqEntry, Practitioner
from tests.factories import make_location, make_practitioner, make_user

pytestmark = pytest.mark.django_db

PROMISES = ("cure", "guarantee", "heal ", "will fix", "eliminate")


def test_demo_home_page_shows_clinic_people_visit_and_faq(client):
    call_command("demo", stdout=io.StringIO())

    page = client.get("/").text

    assert "Harbour Street Chiropractic" in page
    assert "12 Harbour Street" in page and "+44 117 496 0000" in page
    assert "Monday to Thursday" in page
    assert "Dr. Anna Weber" in page and "SOTO Europe: Cranial" in page
    assert "pelvic blocks" in page.lower()
    assert "Do I need a referral" in page
    assert page.count("Book an appointment") >= 2
    assert 'src="/media/practitioners/' in page


def test_demo_wording_makes_no_health_promise(client):
    call_command("demo", stdout=io.StringIO())

    text = " ".join(
        [
            client.get("/").text.lower(),
            client.get("/portal/book/").text.lower(),
        ]
    )

    assert not [word for word in PROMISES if word in text]


def test_every_public_page_offers_booking(client):
    make_location()

    for url in ("/", "/portal/book/", "/accounts/login/"):
        assert "Book an appointment" in client.get(url).text, url


def test_practitioner_photo_is_served(client):
    call_command("demo", stdout=io.StringIO())
    name = Practitioner.objects.get(display_name="Dr. Anna Weber").photo.name

    response = client.get(f"/media/{name}")

    assert response.status_code == 200


def test_staff_edit_the_clinic_page(client):
    location = make_location(name="Old Name")
    doctor = make_practitioner(location, display_name="Dr. Old")
    FaqEntry.objects.create(question="Old question?", answer="Old answer.")
    client.force_login(make_user(Role.FRONT_DESK))
    page = client.get("/staff/clinic-page/")
    assert page.status_code == 200
    faq = FaqEntry.objects.get()
    data = {
        "loc-name": "Harbour Street Chiropractic",
        "loc-address": "1 Quay",
        "loc-phone": "0117 000",
        "loc-email": "hello@example.com",
        "page-tagline": "Gentle care.",
        "page-opening_hours": "Mon–Fri 9–5",
        "page-about_visit": "A first visit takes 45 minutes.",
        "page-emergency_number": "999",
        "rules-slot_step_minutes": "20",
        "rules-min_notice_minutes": "60",
        "rules-horizon_days": "30",
        "rules-cancellation_window_hours": "12",
        "rules-reminder_hours": "24",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "1",
        "people-0-id": str(doctor.pk),
        "people-0-display_name": "Dr. Anna Weber",
        "people-0-credentials": "DC",
        "people-0-sot_certification": "SOT certified, Advanced level",
        "people-0-bio": "Hello.",
        "faq-TOTAL_FORMS": "2",
        "faq-INITIAL_FORMS": "1",
        "faq-0-id": str(faq.pk),
        "faq-0-question": "Old question?",
        "faq-0-answer": "Old answer.",
        "faq-0-position": "0",
        "faq-0-DELETE": "on",
        "faq-1-question": "What should I wear?",
        "faq-1-answer": "Comfortable clothes.",
        "faq-1-position": "1",
    }

    response = client.post("/staff/clinic-page/", data)

    assert response.status_code == 302
    client.logout()
    home = client.get("/").text
    assert "Harbour Street Chiropractic" in home
    assert "SOT certified, Advanced level" in home
    assert "What should I wear?" in home and "Old question?" not in home
    assert ClinicSettings.load().slot_step_minutes == 20


def test_clinic_page_settings_are_for_staff_only(client):
    client.force_login(make_user(Role.PATIENT))

    assert client.get("/staff/clinic-page/").status_code == 403
