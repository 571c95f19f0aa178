"""What leaves the outbox: e-mail headers, text messages through each SMS backend, resending,
clean-up, and the worker's schedules."""

import datetime as dt
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.models import Schedule

from sotclinic.accounts.models import Role
from sotclinic.messaging import sms
from sotclinic.messaging.models import Message, WorkerHeartbeat
from sotclinic.messaging.services import (
    OUTBOX_HEADER,
    NotResendable,
    delete_old_messages,
    queue_email,
    queue_sms,
    resend,
    send_due_messages,
)
from sotclinic.worker import PERIODIC_TASKS, ensure_schedules, worker_name
from sotclinic.worker import run as run_worker
from tests.factories import make_patient, make_user


@pytest.fixture
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.mark.django_db(transaction=True)
def test_email_names_the_clinic_as_sender_and_says_it_is_automatic(settings):
    settings.DEFAULT_FROM_EMAIL = "Practice <desk@clinic.example>"
    with transaction.atomic():
        message = queue_email(
            to="pat@example.com",
            subject="Your appointment",
            body="Monday at 10:00.",
            html="<p>Monday at 10:00.</p>",
            kind="test",
            sender_name='Rücken "Zentrum"\r\nBcc: x@example.com',
        )

    [sent] = mail.outbox
    assert sent.from_email == '"Rücken \\"Zentrum\\" Bcc: x@example.com" <desk@clinic.example>'
    headers = sent.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers[OUTBOX_HEADER] == str(message.pk)
    assert headers["Message-ID"].startswith(f"<outbox-{message.pk}.")
    assert headers["Message-ID"].endswith("@clinic.example>")
    assert headers.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in headers.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert "Bcc" not in headers


@pytest.mark.django_db(transaction=True)
def test_email_without_a_sender_name_comes_from_the_default_address(settings):
    settings.DEFAULT_FROM_EMAIL = "desk@clinic.example"
    with transaction.atomic():
        queue_email(to=["a@example.com"], subject="s", body="b")

    [sent] = mail.outbox
    assert sent.from_email == "desk@clinic.example"
    assert sent.message().get_content_type() == "text/plain"


@pytest.mark.django_db(transaction=True)
def test_text_message_is_queued_for_the_patient_and_sent_after_commit(sms_outbox):
    patient = make_patient()
    with transaction.atomic():
        message = queue_sms(
            to="+4930123456",
            body="Reminder: Monday 10:00.",
            kind="booking.reminder",
            patient=patient,
            sender_name="Praxis",
        )
        assert sms_outbox == []

    message.refresh_from_db()
    assert (message.channel, message.status, message.patient) == ("sms", "sent", patient)
    assert sms_outbox == [
        {"to": "+4930123456", "from": "Praxis", "body": "Reminder: Monday 10:00."}
    ]


def test_file_backend_writes_each_text_under_the_configured_folder(tmp_path, settings):
    settings.SMS_FILE_PATH = str(tmp_path / "sms")

    sms.FileBackend().send("+4930123456", "Bis Montag!", "Praxis")

    [written] = (tmp_path / "sms").iterdir()
    assert json.loads(written.read_text()) == {
        "to": "+4930123456",
        "from": "Praxis",
        "body": "Bis Montag!",
    }


class _FakeTwilio(BaseHTTPRequestHandler):
    """Answers Twilio's Messages resource the way Twilio documents it, keeping each request."""

    requests: list[dict] = []
    status = 201

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        self.requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "form": form}
        )
        body = (
            {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": form["To"][0]}
            if self.status == 201
            else {"code": 21211, "message": "The 'To' number is not a valid phone number."}
        )
        payload = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeTwilio.requests, _FakeTwilio.status = [], 201
    settings.SMS_BACKEND = "sotclinic.messaging.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield _FakeTwilio
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_twilio_backend_posts_the_text_to_twilios_messages_resource(twilio):
    with transaction.atomic():
        message = queue_sms(to="+4930123456", body="Bis Montag!")

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"] == {
        "To": ["+4930123456"],
        "Body": ["Bis Montag!"],
        "From": ["+15005550006"],
    }


@pytest.mark.django_db(transaction=True)
def test_twilio_backend_sends_from_a_messaging_service_when_one_is_set(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32

    sms.get_backend().send("+4930123456", "Hallo")

    assert twilio.requests[0]["form"]["MessagingServiceSid"] == ["MG" + "1" * 32]
    assert "From" not in twilio.requests[0]["form"]


@pytest.mark.django_db(transaction=True)
def test_a_text_twilio_refuses_is_recorded_for_a_retry(twilio):
    twilio.status = 400
    with transaction.atomic():
        message = queue_sms(to="+4930123456", body="Hallo")

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert "not a valid phone number" in message.last_error


def test_twilio_backend_without_credentials_is_a_configuration_error(settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        sms.TwilioBackend()
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "token"
    settings.TWILIO_FROM_NUMBER = settings.TWILIO_MESSAGING_SERVICE_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_FROM_NUMBER"):
        sms.TwilioBackend()
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE_URL = "+15005550006", ""
    assert sms.TwilioBackend().client.api.base_url == "https://api.twilio.com"


@pytest.mark.django_db(transaction=True)
def test_a_message_given_up_on_is_sent_again_on_request_recording_who(smtp_down, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 1
    with transaction.atomic():
        message = queue_email(to="a@example.com", subject="s", body="b")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    desk = make_user(Role.FRONT_DESK)

    resend(message.pk, by=desk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.resent_by) == ("sent", 1, desk)
    assert message.resent_at is not None
    assert len(mail.outbox) == 1
    with pytest.raises(NotResendable):
        resend(message.pk, by=desk)  # sent: nothing to resend


@pytest.mark.django_db
def test_old_sent_messages_are_deleted_but_failed_and_recent_ones_kept(settings):
    settings.MESSAGE_KEEP_SENT_DAYS = 30
    now = timezone.now()
    old = now - dt.timedelta(days=31)
    Message.objects.create(to=["a@x.org"], body="b", status="sent", sent_at=old)
    kept_recent = Message.objects.create(to=["a@x.org"], body="b", status="sent", sent_at=now)
    kept_failed = Message.objects.create(to=["a@x.org"], body="b", status="failed")
    WorkerHeartbeat.objects.create(worker="gone:1", seen_at=now - dt.timedelta(days=2))

    assert delete_old_messages(now=now) == 1

    assert set(Message.objects.all()) == {kept_recent, kept_failed}
    assert not WorkerHeartbeat.objects.exists()
    settings.MESSAGE_KEEP_SENT_DAYS = 0
    assert delete_old_messages(now=now + dt.timedelta(days=365)) == 0


@pytest.mark.django_db
def test_worker_schedules_are_created_once_and_follow_the_list():
    Schedule.objects.create(name="Something retired", func="os.getcwd", schedule_type="I")
    ensure_schedules()
    ensure_schedules()

    rows = Schedule.objects.order_by("name")
    assert sorted((s.name, s.func, s.minutes) for s in rows) == sorted(PERIODIC_TASKS)
    assert {s.schedule_type for s in rows} == {Schedule.MINUTES}

    Schedule.objects.filter(name="Appointment reminders").update(minutes=99)
    Schedule.objects.create(name="Appointment reminders", func="os.getcwd")  # a duplicate
    ensure_schedules()
    assert Schedule.objects.get(name="Appointment reminders").minutes == 5


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_message_whose_hand_over_to_the_queue_was_lost():
    # Written without queue_email's hand-over, as if the broker had been unreachable.
    Message.objects.create(to=["a@example.com"], subject="s", body="b")

    assert send_due_messages() == (1, 0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_runs_its_cluster_until_asked_to_stop_writing_heartbeats(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.2
    me = os.getpid()

    def stop_once_it_beats_again():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(seen_at__gt=F("started_at")).exists():
                break
            time.sleep(0.1)
        os.kill(me, signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=stop_once_it_beats_again, daemon=True).start()

    run_worker()

    [beat] = WorkerHeartbeat.objects.all()
    assert beat.worker == worker_name()
    assert beat.seen_at > beat.started_at
    assert Schedule.objects.count() == len(PERIODIC_TASKS)
    assert signal.getsignal(signal.SIGTERM) is before  # the process's own handling is back
