"""The signed-in patient's own pages: home, an appointment (cancel, move), invoice and receipt
PDFs, a care plan. Each shows only the patient's own records and writes access-log rows."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import care_plans, invoices, ledger
from sotclinic.billing.models import EntryKind
from sotclinic.intake.models import FollowUpRequest
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.billing.plan_setup import plan_clinic
from tests.factories import (
    PASSWORD,
    make_appointment,
    make_complete_intake,
    make_intake,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    clinic = plan_clinic()
    clinic.patient.user = make_user(Role.PATIENT, username="olivia")
    clinic.patient.save()
    return clinic


def _at(clinic, days: int, hour: int = 10) -> dt.datetime:
    day = timezone.now().astimezone(clinic.location.tz).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clinic.location.tz).astimezone(dt.UTC)


def _appointment(clinic, days: int, patient=None, **extra) -> Appointment:
    return make_appointment(
        clinic.practitioner,
        _at(clinic, days),
        patient=patient or clinic.patient,
        kind=clinic.kind,
        location=clinic.location,
        **extra,
    )


def _plan(clinic, patient=None, proposed=True):
    plan = care_plans.prescribe_plan(
        patient or clinic.patient,
        by=clinic.practitioner.user,
        practitioner=clinic.practitioner,
        location=clinic.location,
        appointment_type=clinic.kind,
        phases=[{"visits_per_week": 2, "weeks": 2}],
        reexam_visits=[4],
        start_date=timezone.now().date() + dt.timedelta(days=7),
        name="Corrective care",
    )
    if proposed:
        care_plans.propose_plan(plan, by=clinic.practitioner.user)
    return plan


def _paid_invoice(clinic, patient=None):
    patient = patient or clinic.patient
    charge = ledger.post_entry(
        patient, kind=EntryKind.CHARGE, amount=4500, by=clinic.desk, code="98940"
    )
    invoice = invoices.issue_invoice(patient, [charge], by=clinic.desk)
    payment = ledger.record_payment(
        patient, amount=4500, method="card", by=clinic.desk, invoice=invoice
    )
    return invoice, payment


@pytest.fixture
def other(clinic):
    """Another patient of the same clinic, with records of every kind."""
    patient = make_patient(first_name="Otto", email="otto@example.com")
    invoice, payment = _paid_invoice(clinic, patient)
    return {
        "appointment": _appointment(clinic, 5, patient=patient),
        "invoice": invoice,
        "payment": payment,
        "plan": _plan(clinic, patient),
    }


def _rows(patient, action) -> int:
    return AccessLog.objects.filter(patient=patient, action=action).count()


def test_a_patient_logging_in_with_a_password_lands_on_their_page(client, clinic):
    response = client.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/portal/")


def test_staff_logging_in_still_land_on_their_day(client, clinic):
    response = client.post("/accounts/login/", {"username": "frontdesk", "password": PASSWORD})

    assert response["Location"] == "/staff/"


def test_the_home_shows_the_patients_own_records_and_logs_each_kind(client, clinic, other):
    upcoming = _appointment(clinic, 3)
    _appointment(clinic, 4, status=Appointment.Status.CANCELLED)
    _appointment(clinic, -3, status=Appointment.Status.COMPLETED)
    invoice, payment = _paid_invoice(clinic)
    plan = _plan(clinic)
    _plan(clinic, proposed=False)  # a draft: not the patient's to see yet
    make_intake(patient=clinic.patient)
    baseline = make_complete_intake(patient=clinic.patient)
    FollowUpRequest.objects.create(
        patient=clinic.patient, baseline_intake=baseline, sequence=1, sent_at=timezone.now()
    )
    client.force_login(clinic.patient.user)

    html = client.get("/portal/").content.decode()

    assert "Hello, Olivia" in html
    assert f'href="/portal/appointments/{upcoming.pk}/"' in html
    assert html.count('href="/portal/appointments/') == 1  # not the cancelled one
    assert "Past appointments" in html and "Completed" in html
    assert f'href="/portal/invoices/{invoice.pk}/pdf/"' in html
    assert f'href="/portal/receipts/{payment.pk}/pdf/"' in html
    assert f'href="/portal/plans/{plan.pk}/"' in html
    assert html.count('href="/portal/plans/') == 1
    assert "0 of 4 visits done" in html
    assert 'href="/intake/' in html and 'href="/intake/follow-up/' in html
    assert 'id="documents"' in html
    assert f"/appointments/{other['appointment'].pk}/" not in html
    assert f"/invoices/{other['invoice'].pk}/" not in html
    assert f"/receipts/{other['payment'].pk}/" not in html
    assert f"/plans/{other['plan'].pk}/" not in html
    for action in (Action.VIEW_OWN_APPOINTMENTS, Action.VIEW_ACCOUNT, Action.VIEW_CARE_PLAN):
        assert _rows(clinic.patient, action) == 1
    assert not AccessLog.objects.filter(patient=other["invoice"].account.patient).exists()


def test_a_home_with_nothing_yet_says_so(client, clinic):
    client.force_login(clinic.patient.user)

    html = client.get("/portal/").content.decode()

    assert "You have no upcoming appointments." in html
    assert "No invoices yet." in html
    assert _rows(clinic.patient, Action.VIEW_CARE_PLAN) == 0


def test_a_login_tied_to_no_patient_gets_a_page_that_says_so_and_no_records(client, clinic):
    client.force_login(make_user(Role.PATIENT))

    home = client.get("/portal/")
    appointment = client.get(f"/portal/appointments/{_appointment(clinic, 3).pk}/")

    assert "not linked to a patient record" in home.content.decode()
    assert appointment.status_code == 404


def test_staff_and_visitors_do_not_open_the_patient_pages(client, clinic):
    path = f"/portal/appointments/{_appointment(clinic, 3).pk}/"

    assert client.get(path)["Location"].startswith("/accounts/login/")
    client.force_login(clinic.desk)
    assert client.get(path).status_code == 403


def test_an_appointment_of_ones_own_is_shown_and_logged(client, clinic):
    appointment = _appointment(clinic, 3)
    client.force_login(clinic.patient.user)

    response = client.get(f"/portal/appointments/{appointment.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="/portal/appointments/{appointment.pk}/cancel/"' in html
    assert 'href="/portal/"' in html
    assert _rows(clinic.patient, Action.VIEW_APPOINTMENT) == 1


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/portal/appointments/{appointment}/"),
        ("get", "/portal/appointments/{appointment}/?move=1"),
        ("post", "/portal/appointments/{appointment}/cancel/"),
        ("post", "/portal/appointments/{appointment}/move/"),
        ("get", "/portal/invoices/{invoice}/pdf/"),
        ("get", "/portal/receipts/{payment}/pdf/"),
        ("get", "/portal/plans/{plan}/"),
    ],
)
def test_another_patients_records_are_not_found(client, clinic, other, method, path):
    client.force_login(clinic.patient.user)
    url = path.format(**{key: record.pk for key, record in other.items()})

    response = getattr(client, method)(url, {"start": _at(clinic, 6).isoformat()})

    assert response.status_code == 404
    assert other["appointment"].__class__.objects.get(pk=other["appointment"].pk).status == (
        Appointment.Status.BOOKED
    )
    assert other["appointment"].start == Appointment.objects.get(pk=other["appointment"].pk).start
    assert not AccessLog.objects.filter(patient=other["appointment"].patient).exists()


def test_a_patient_cancels_their_appointment(client, clinic):
    appointment = _appointment(clinic, 3)
    client.force_login(clinic.patient.user)

    response = client.post(f"/portal/appointments/{appointment.pk}/cancel/")

    assert response["Location"] == f"/portal/appointments/{appointment.pk}/"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert "This appointment is cancelled." in client.get(response["Location"]).content.decode()


def test_the_clinics_cancellation_window_holds_in_the_portal(client, clinic):
    settings = ClinicSettings.load()
    settings.cancellation_window_hours = 24
    settings.save()
    appointment = make_appointment(
        clinic.practitioner,
        timezone.now() + dt.timedelta(hours=3),
        patient=clinic.patient,
        kind=clinic.kind,
        location=clinic.location,
    )
    client.force_login(clinic.patient.user)

    refused = client.post(f"/portal/appointments/{appointment.pk}/cancel/")
    page = client.get(f"/portal/appointments/{appointment.pk}/?move=1")

    assert refused.status_code in (400, 409, 422)
    assert "too close to the appointment" in refused.content.decode()
    assert appointment.__class__.objects.get(pk=appointment.pk).status == "booked"
    assert "Pick a new day" not in page.content.decode()


def test_a_patient_moves_their_appointment_to_a_free_time(client, clinic):
    appointment = _appointment(clinic, 3)
    client.force_login(clinic.patient.user)
    new_start = _at(clinic, 4, hour=11)

    choice = client.get(f"/portal/appointments/{appointment.pk}/?move=1")
    response = client.post(
        f"/portal/appointments/{appointment.pk}/move/", {"start": new_start.isoformat()}
    )

    assert "Pick a new day" in choice.content.decode()
    assert f'action="/portal/appointments/{appointment.pk}/move/"' in choice.content.decode()
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == new_start


def test_a_move_without_a_time_is_refused_with_a_message(client, clinic):
    appointment = _appointment(clinic, 3)
    client.force_login(clinic.patient.user)

    response = client.post(f"/portal/appointments/{appointment.pk}/move/")

    assert response.status_code == 422
    assert "Pick a new time from the list." in response.content.decode()


def test_invoice_and_receipt_pdfs_of_ones_own_are_downloaded_and_logged(client, clinic):
    invoice, payment = _paid_invoice(clinic)
    client.force_login(clinic.patient.user)

    pdfs = [
        client.get(f"/portal/invoices/{invoice.pk}/pdf/"),
        client.get(f"/portal/receipts/{payment.pk}/pdf/"),
    ]

    for response in pdfs:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment;")
    assert _rows(clinic.patient, Action.VIEW_BILLING_DOCUMENT) == 2


def test_a_charge_has_no_receipt(client, clinic):
    charge = ledger.post_entry(clinic.patient, kind=EntryKind.CHARGE, amount=100, by=clinic.desk)
    client.force_login(clinic.patient.user)

    assert client.get(f"/portal/receipts/{charge.pk}/pdf/").status_code == 404


def test_a_care_plan_of_ones_own_shows_its_progress_and_text(client, clinic):
    plan = _plan(clinic)
    draft = _plan(clinic, proposed=False)
    client.force_login(clinic.patient.user)

    response = client.get(f"/portal/plans/{plan.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Corrective care" in html and "0 of 4 visits done" in html
    assert "By signing I accept this plan" in html
    assert _rows(clinic.patient, Action.VIEW_CARE_PLAN) == 1
    assert client.get(f"/portal/plans/{draft.pk}/").status_code == 404


def test_a_signed_in_patients_booking_form_is_filled_in(client, clinic):
    client.force_login(clinic.patient.user)
    start = _at(clinic, 3).isoformat().replace("+", "%2B")

    html = client.get(
        f"/portal/book/?type={clinic.kind.pk}&practitioner=any&start={start}"
    ).content.decode()

    assert 'value="Olivia"' in html and 'value="Smith"' in html
    assert f'value="{clinic.patient.email}"' in html
    assert 'value="1985-04-02"' in html


def test_a_visitors_booking_form_is_empty(client, clinic):
    start = _at(clinic, 3).isoformat().replace("+", "%2B")

    html = client.get(
        f"/portal/book/?type={clinic.kind.pk}&practitioner=any&start={start}"
    ).content.decode()

    assert 'value="Olivia"' not in html
