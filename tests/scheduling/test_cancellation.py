"""Cancelling asks why and confirms; inside the clinic's window it is flagged late; no-shows
and late cancellations are counted on the patient page and in the report."""

import datetime as dt

import pytest
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.scheduling import services
from sotclinic.scheduling.attendance import attendance_report, patient_attendance
from sotclinic.scheduling.errors import BookingError
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    location = make_location()
    return make_open_practitioner(location, "00:00", "23:59")


def _in(doctor, hours, patient=None, **extra):
    start = (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    return make_appointment(doctor, start, patient=patient, **extra)


def test_cancelling_inside_the_window_is_flagged_late(doctor):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"cancellation_window_hours": 24})
    soon, later = _in(doctor, 5), _in(doctor, 48)

    services.cancel_appointment(soon, reason="illness", note=" fever ")
    services.cancel_appointment(later, reason="travel")

    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.cancelled_late, soon.cancellation_reason, soon.cancellation_note) == (
        True,
        "illness",
        "fever",
    )
    assert later.cancelled_late is False


def test_the_clinic_cancelling_late_does_not_count_against_the_patient(doctor):
    soon = _in(doctor, 2)

    services.cancel_appointment(soon, reason="clinic")

    soon.refresh_from_db()
    assert soon.status == Appointment.Status.CANCELLED and soon.cancelled_late is False


def test_an_unknown_reason_is_refused(doctor):
    appointment = _in(doctor, 30)

    with pytest.raises(BookingError):
        services.cancel_appointment(appointment, reason="bored")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_cancel_page_asks_for_a_reason_and_warns_when_late(client, doctor):
    appointment = _in(doctor, 3)
    client.force_login(make_user(Role.FRONT_DESK))
    url = f"/staff/appointments/{appointment.pk}/cancel/"

    page = client.get(url)
    no_reason = client.post(url, {})
    other_without_note = client.post(url, {"reason": "other"})

    assert page.status_code == 200 and "Late cancellation." in page.text
    assert "Patient unwell" in page.text
    assert no_reason.status_code == 422 and "Choose a reason." in no_reason.text
    assert "Say briefly why in the note." in other_without_note.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_confirmed_cancel_records_the_reason_and_shows_it(client, doctor):
    appointment = _in(doctor, 3)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(
        f"/staff/appointments/{appointment.pk}/cancel/",
        {"reason": "other", "note": "Car broke down"},
    )
    detail = client.get(f"/staff/appointments/{appointment.pk}/").text

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.cancelled_late and appointment.cancellation_note == "Car broke down"
    assert "late cancellation" in detail and "Other (see note): Car broke down" in detail


def test_a_completed_appointment_cannot_be_cancelled(client, doctor):
    done = _in(doctor, -3, status=Appointment.Status.COMPLETED)
    client.force_login(make_user(Role.FRONT_DESK))
    url = f"/staff/appointments/{done.pk}/cancel/"

    page = client.get(url)
    refused = client.post(url, {"reason": "illness"})

    assert "Only a booked appointment can be cancelled." in page.text
    assert refused.status_code == 409
    done.refresh_from_db()
    assert done.status == Appointment.Status.COMPLETED


def test_counts_on_the_patient_page_and_in_the_report(client, doctor):
    olivia = make_patient(first_name="Olivia", last_name="Smith")
    henry = make_patient(first_name="Henry", last_name="Clarke")
    kind = make_appointment_type([doctor])
    for days in (3, 10):
        _in(doctor, -24 * days, patient=olivia, kind=kind, status=Appointment.Status.NO_SHOW)
    _in(doctor, -24 * 200, patient=olivia, kind=kind, status=Appointment.Status.NO_SHOW)
    late = _in(doctor, 4, patient=henry, kind=kind)
    services.cancel_appointment(late, reason="commitment")
    _in(doctor, -24 * 5, patient=henry, kind=kind, status=Appointment.Status.COMPLETED)
    client.force_login(make_user(Role.FRONT_DESK))

    page = client.get(f"/staff/patients/{olivia.pk}/").text
    report = client.get("/staff/reports/attendance/?days=90").text
    year = client.get("/staff/reports/attendance/?days=365").text

    assert patient_attendance(olivia).no_shows == 3
    assert patient_attendance(henry).late_cancellations == 1
    assert "No-shows: 3 · Late cancellations: 0" in page
    assert report.index("Smith, Olivia") < report.index("Clarke, Henry")
    now = timezone.now()
    rows = {p.last_name: p for p in attendance_report(now - dt.timedelta(days=90), now)}
    assert rows["Smith"].no_shows == 2  # the one 200 days ago is outside the 90 days
    assert (rows["Clarke"].no_shows, rows["Clarke"].late_cancellations) == (0, 1)
    assert "Clarke, Henry" in year


def test_report_with_nothing_to_show(client):
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/reports/attendance/?days=7")

    assert response.status_code == 200
    assert "No no-shows or late cancellations in the last 90 days." in response.text


def test_viewing_the_attendance_report_writes_one_access_log_row(client):
    from sotclinic.audit.models import AccessLog, Action

    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/reports/attendance/?days=30")

    assert response.status_code == 200
    [row] = AccessLog.objects.filter(action=Action.VIEW_ATTENDANCE)
    assert (row.patient, row.detail) == (None, "attendance report: 30 days")
