import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
    today_at,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/staff/patients/",
    "/staff/patients/new/",
    "/staff/patients/{id}/",
    "/staff/patients/{id}/edit/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_log_in(client, url):
    patient = make_patient()

    response = client.get(url.format(id=patient.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_a_patient_account_is_refused(client, url):
    patient = make_patient()
    client.force_login(make_user(Role.PATIENT))

    response = client.get(url.format(id=patient.pk))

    assert response.status_code == 403


def test_page_shows_details_and_appointments_with_status(client):
    location = make_location(name="Harbour Street", time_zone="Europe/London")
    doctor = make_practitioner(location, display_name="Dr. Reyes")
    patient = make_patient(
        first_name="Olivia",
        last_name="Hartley",
        phone="020 7946 0018",
        address="1 Quay Road",
        consent_to_contact=True,
    )
    now = timezone.now()
    make_appointment(doctor, now - dt.timedelta(days=7), patient=patient, status="completed")
    make_appointment(doctor, now + dt.timedelta(days=7), patient=patient)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get(f"/staff/patients/{patient.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Olivia Hartley" in html and "020 7946 0018" in html and "1 Quay Road" in html
    assert "Agrees to be contacted" in html
    assert [a.status for a in response.context["upcoming"]] == ["booked"]
    assert [a.status for a in response.context["past"]] == ["completed"]
    assert "Completed" in html and "Booked" in html and "Dr. Reyes" in html
    assert f'href="/staff/appointments/new/?patient={patient.pk}"' in html


def _clinical_patient():
    doctor = make_practitioner(make_location())
    patient = make_patient()
    sign_visit(make_visit(doctor, patient), complaints="Sciatica down the left leg")
    return patient


def test_front_desk_sees_no_clinical_links_or_data(client):
    patient = _clinical_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    html = client.get(f"/staff/patients/{patient.pk}/").content.decode()

    assert f"/staff/patients/{patient.pk}/chart/" not in html
    assert f"/staff/patients/{patient.pk}/intakes/" not in html
    assert f"/staff/patients/{patient.pk}/outcomes/" not in html
    assert "Sciatica" not in html


def test_practitioner_sees_chart_intakes_and_outcomes_links(client):
    patient = _clinical_patient()
    client.force_login(make_user(Role.PRACTITIONER))

    html = client.get(f"/staff/patients/{patient.pk}/").content.decode()

    assert f'href="/staff/patients/{patient.pk}/chart/"' in html
    assert f'href="/staff/patients/{patient.pk}/intakes/"' in html
    assert f'href="/staff/patients/{patient.pk}/outcomes/"' in html


def test_each_view_of_the_page_writes_an_audit_row(client):
    patient = make_patient()
    desk = make_user(Role.FRONT_DESK)
    client.force_login(desk)

    client.get(f"/staff/patients/{patient.pk}/", REMOTE_ADDR="198.51.100.4")
    client.get(f"/staff/patients/{patient.pk}/", REMOTE_ADDR="198.51.100.4")

    rows = AccessLog.objects.filter(patient=patient, action=Action.VIEW_PATIENT)
    assert rows.count() == 2
    assert {(r.user_id, r.ip_address) for r in rows} == {(desk.pk, "198.51.100.4")}


def test_unknown_patient_is_404(client):
    client.force_login(make_user(Role.FRONT_DESK))

    assert client.get("/staff/patients/999999/").status_code == 404


def test_staff_nav_chart_header_and_day_list_link_to_the_patient_page(client):
    location = make_location()
    doctor = make_practitioner(location)
    patient = make_patient()
    make_appointment(doctor, today_at(location, 12), patient=patient)
    client.force_login(doctor.user)
    url = f'href="/staff/patients/{patient.pk}/"'

    home = client.get("/staff/").content.decode()
    chart = client.get(f"/staff/patients/{patient.pk}/chart/").content.decode()

    assert 'href="/staff/patients/"' in home
    assert url in home
    assert url in chart


def test_book_appointment_opens_the_new_appointment_page_for_this_patient(client):
    patient = make_patient()
    client.force_login(make_user(Role.FRONT_DESK))

    html = client.get(f"/staff/patients/{patient.pk}/").content.decode()

    assert f'href="/staff/appointments/new/?patient={patient.pk}"' in html
