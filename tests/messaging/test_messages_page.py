"""The staff Messages page: the outbox by status, and resending a message given up on."""

import pytest

from sotclinic.accounts.models import Role
from sotclinic.messaging.models import Message
from tests.factories import make_patient, make_user


def _message(status: str, **extra) -> Message:
    return Message.objects.create(
        to=["pat@example.com"],
        subject=f"Appointment ({status})",
        body="SECRET-BODY-TEXT",
        status=status,
        **extra,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRACTITIONER])
def test_staff_see_the_outbox_with_errors_but_never_the_bodies(login, role):
    patient = make_patient(first_name="Greta", last_name="Garbo")
    _message("failed", attempts=10, last_error="SMTPServerDisconnected: gone", patient=patient)
    _message("sent")

    response = login(make_user(role)).get("/staff/messages/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Appointment (failed)" in page and "Appointment (sent)" in page
    assert "SMTPServerDisconnected: gone" in page
    assert "Greta Garbo" in page
    assert "SECRET-BODY-TEXT" not in page
    assert page.count("Send again</button>") == 1  # only for the one given up on


@pytest.mark.django_db
def test_messages_page_filters_by_status_and_ignores_an_unknown_one(login):
    _message("failed")
    _message("sent")
    client = login(make_user(Role.FRONT_DESK))

    failed_only = client.get("/staff/messages/?status=failed").content.decode()
    everything = client.get("/staff/messages/?status=bogus").content.decode()

    assert "Appointment (failed)" in failed_only and "Appointment (sent)" not in failed_only
    assert "Appointment (failed)" in everything and "Appointment (sent)" in everything


@pytest.mark.django_db
def test_patients_and_anonymous_visitors_cannot_open_the_messages_page(client, login):
    _message("failed")
    assert client.get("/staff/messages/").status_code == 302  # to the log-in page

    response = login(make_user(Role.PATIENT)).get("/staff/messages/")
    assert response.status_code == 403
    assert b"SECRET-BODY-TEXT" not in response.content


@pytest.mark.django_db(transaction=True)
def test_front_desk_resends_a_message_given_up_on(login):
    message = _message("failed", attempts=10, last_error="SMTPServerDisconnected")
    desk = make_user(Role.FRONT_DESK)
    client = login(desk)

    response = client.post(f"/staff/messages/{message.pk}/resend/")

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.resent_by) == (Message.Status.SENT, desk)
    assert "Sent again by" in client.get("/staff/messages/").content.decode()


@pytest.mark.django_db
def test_resending_a_message_that_was_sent_is_refused_with_a_message(login):
    message = _message("sent")

    response = login(make_user(Role.FRONT_DESK)).post(f"/staff/messages/{message.pk}/resend/")

    assert response.status_code == 409
    assert "given up on" in response.content.decode()
    message.refresh_from_db()
    assert message.resent_by is None


@pytest.mark.django_db
def test_viewing_the_messages_page_writes_one_access_log_row(client):
    from sotclinic.audit.models import AccessLog, Action

    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/messages/?status=failed")

    assert response.status_code == 200
    [row] = AccessLog.objects.filter(action=Action.VIEW_OUTBOX)
    assert (row.patient, row.detail) == (None, "messages: status=failed page=1")
