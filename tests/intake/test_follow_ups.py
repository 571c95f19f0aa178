import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sotclinic.intake.models import FollowUpRequest, FollowUpSchedule, QuestionnaireResponse
from sotclinic.intake.services import follow_up_token
from sotclinic.messaging.models import Message
from sotclinic.outcomes.selectors import follow_ups_due
from tests.factories import make_complete_intake, make_patient, make_practitioner, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _schedule(every, unit):
    schedule = FollowUpSchedule.load()
    schedule.every, schedule.unit = every, unit
    schedule.save()
    return schedule


def test_weekly_schedule_makes_patients_due_after_n_weeks():
    _schedule(4, "weeks")
    now = timezone.now()
    due = make_complete_intake(make_patient(), completed_at=now - dt.timedelta(weeks=5))
    make_complete_intake(make_patient(), completed_at=now - dt.timedelta(weeks=2))

    result = follow_ups_due(now)

    assert [(d.patient, d.sequence) for d in result] == [(due.patient, 1)]


def test_visit_schedule_counts_visits_since_baseline():
    _schedule(3, "visits")
    now = timezone.now()
    doctor = make_practitioner()
    patient, other = make_patient(), make_patient()
    make_complete_intake(patient, completed_at=now - dt.timedelta(days=20))
    make_complete_intake(other, completed_at=now - dt.timedelta(days=20))
    for days in (15, 10, 5):
        make_visit(doctor, patient, started_at=now - dt.timedelta(days=days))
    make_visit(doctor, other, started_at=now - dt.timedelta(days=5))

    assert [d.patient for d in follow_ups_due(now)] == [patient]


def test_second_follow_up_is_due_after_twice_the_interval():
    _schedule(4, "weeks")
    now = timezone.now()
    intake = make_complete_intake(make_patient(), completed_at=now - dt.timedelta(weeks=6))
    FollowUpRequest.objects.create(patient=intake.patient, baseline_intake=intake, sequence=1)

    assert follow_ups_due(now) == []
    assert follow_ups_due(now + dt.timedelta(weeks=3))[0].sequence == 2


def test_disabled_schedule_makes_nobody_due():
    schedule = _schedule(1, "weeks")
    schedule.enabled = False
    schedule.save()
    make_complete_intake(make_patient(), completed_at=timezone.now() - dt.timedelta(weeks=5))

    assert follow_ups_due() == []


def test_sendfollowups_sends_once_however_often_it_runs(django_capture_on_commit_callbacks):
    _schedule(4, "weeks")
    intake = make_complete_intake(
        make_patient(email="fu@example.com", consent_to_contact=True),
        completed_at=timezone.now() - dt.timedelta(weeks=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendfollowups", stdout=io.StringIO())
        call_command("sendfollowups", stdout=io.StringIO())

    assert FollowUpRequest.objects.filter(patient=intake.patient).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fu@example.com"]
    assert "/intake/follow-up/" in mail.outbox[0].body


def test_follow_up_refused_by_the_mail_server_waits_in_the_outbox(
    smtp_down, django_capture_on_commit_callbacks
):
    _schedule(4, "weeks")
    intake = make_complete_intake(
        make_patient(email="fu@example.com", consent_to_contact=True),
        completed_at=timezone.now() - dt.timedelta(weeks=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendfollowups", stdout=io.StringIO())

    assert FollowUpRequest.objects.filter(patient=intake.patient).count() == 1
    [message] = Message.objects.all()
    assert (message.kind, message.status, message.to) == (
        "intake.follow_up",
        Message.Status.PENDING,
        ["fu@example.com"],
    )
    assert "ConnectionRefusedError" in message.last_error


def test_patient_answers_follow_up_through_the_link(client):
    intake = make_complete_intake(make_patient())
    request = FollowUpRequest.objects.create(
        patient=intake.patient, baseline_intake=intake, sequence=1
    )
    url = reverse("intake:follow_up", args=[follow_up_token(request)])
    answers = {"rmdq__rmdq_01": "on", "nprs__nprs_pain": "3", "grc15__grc_change": "4"}

    page = client.get(url)
    response = client.post(url, answers)

    assert "Global Rating of Change" in page.content.decode() or "grc" in page.content.decode()
    assert response.status_code == 302
    scores = dict(
        QuestionnaireResponse.objects.filter(follow_up=request).values_list(
            "instrument_id", "score"
        )
    )
    assert scores == {"rmdq": 1.0, "nprs": 3.0, "grc15": 4.0}
    assert "already" not in client.get(url).content.decode()
    assert "Thank you" in client.get(url).content.decode()


def test_follow_up_with_missing_answer_is_not_stored(client):
    intake = make_complete_intake(make_patient())
    request = FollowUpRequest.objects.create(
        patient=intake.patient, baseline_intake=intake, sequence=1
    )

    response = client.post(
        reverse("intake:follow_up", args=[follow_up_token(request)]), {"nprs__nprs_pain": "3"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["grc15__grc_change"]
    assert not QuestionnaireResponse.objects.filter(follow_up=request).exists()


def test_tampered_follow_up_link_is_refused(client):
    response = client.get(reverse("intake:follow_up", args=["abc:def"]))

    assert response.status_code == 404


def test_overdue_patient_gets_one_follow_up_not_a_burst(django_capture_on_commit_callbacks):
    _schedule(4, "weeks")
    intake = make_complete_intake(
        make_patient(email="late@example.com", consent_to_contact=True),
        completed_at=timezone.now() - dt.timedelta(weeks=13),
    )

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            call_command("sendfollowups", stdout=io.StringIO())

    [request] = FollowUpRequest.objects.filter(patient=intake.patient)
    assert request.sequence == 3  # the step reached, not steps 1, 2 and 3
    assert len(mail.outbox) == 1


def test_next_follow_up_waits_at_least_half_an_interval_after_the_last():
    _schedule(4, "weeks")
    now = timezone.now()
    intake = make_complete_intake(
        make_patient(consent_to_contact=True), completed_at=now - dt.timedelta(weeks=7, days=6)
    )
    FollowUpRequest.objects.create(
        patient=intake.patient, baseline_intake=intake, sequence=1, sent_at=now
    )

    assert follow_ups_due(now + dt.timedelta(days=2)) == []  # step 2 reached, but too soon
    assert follow_ups_due(now + dt.timedelta(weeks=2))[0].sequence == 2


def test_visit_schedule_sends_the_step_reached_once():
    _schedule(2, "visits")
    now = timezone.now()
    doctor = make_practitioner()
    patient = make_patient(consent_to_contact=True)
    make_complete_intake(patient, completed_at=now - dt.timedelta(days=30))
    for days in (25, 20, 15, 10, 5):
        make_visit(doctor, patient, started_at=now - dt.timedelta(days=days))

    [due] = follow_ups_due(now)

    assert due.sequence == 2


def test_follow_up_waits_for_consent_to_contact(django_capture_on_commit_callbacks):
    _schedule(4, "weeks")
    intake = make_complete_intake(
        make_patient(consent_to_contact=False), completed_at=timezone.now() - dt.timedelta(weeks=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendfollowups", stdout=io.StringIO())

    assert not FollowUpRequest.objects.exists()
    assert mail.outbox == []
    patient = intake.patient
    patient.consent_to_contact = True
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendfollowups", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_failed_follow_up_is_sent_by_a_later_outbox_run(
    smtp_down, django_capture_on_commit_callbacks
):
    from sotclinic.messaging.services import send_due_messages

    _schedule(4, "weeks")
    make_complete_intake(
        make_patient(email="fu@example.com", consent_to_contact=True),
        completed_at=timezone.now() - dt.timedelta(weeks=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendfollowups", stdout=io.StringIO())
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    send_due_messages(now=timezone.now() + dt.timedelta(hours=1))

    [message] = Message.objects.all()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)
    assert [m.to for m in mail.outbox] == [["fu@example.com"]]
    assert "sotclinic" not in mail.outbox[0].message().as_string().lower()
