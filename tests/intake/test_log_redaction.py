"""Signed link tokens never reach the logs, whatever the response."""

import datetime as dt
import logging

import pytest
from django.test import Client
from django.urls import reverse

from sotclinic.intake.models import FollowUpRequest
from sotclinic.intake.services import follow_up_token, intake_token
from sotclinic.log_redaction import redact_tokens
from sotclinic.scheduling.links import manage_token
from tests.factories import (
    make_appointment,
    make_complete_intake,
    make_intake,
    make_location,
    make_practitioner,
)

pytestmark = pytest.mark.django_db


def _assert_logged_without(caplog, token):
    messages = [record.getMessage() for record in caplog.records]
    assert any("[redacted]" in m for m in messages), messages  # the 4xx was logged…
    assert token not in caplog.text  # …without the token
    assert not any(token[:20] in m for m in messages)


def test_refused_intake_link_logs_no_token(client, caplog):
    token = intake_token(make_intake())[:-2] + "xx"  # tampered: refused with 404

    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("intake:step", args=[token, "about"]))

    assert response.status_code == 404
    _assert_logged_without(caplog, token)


def test_bad_answer_on_a_valid_intake_link_logs_no_token(client, caplog):
    token = intake_token(make_intake())

    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("intake:step", args=[token, "about"]), {})

    assert response.status_code == 400
    _assert_logged_without(caplog, token)


def test_csrf_failure_on_an_intake_link_logs_no_token(caplog):
    token = intake_token(make_intake())

    with caplog.at_level(logging.WARNING):
        response = Client(enforce_csrf_checks=True).post(
            reverse("intake:step", args=[token, "about"]), {}
        )

    assert response.status_code == 403
    _assert_logged_without(caplog, token)


def test_bad_follow_up_answer_logs_no_token(client, caplog):
    baseline = make_complete_intake()
    follow = FollowUpRequest.objects.create(
        patient=baseline.patient, baseline_intake=baseline, sequence=1
    )
    token = follow_up_token(follow)

    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("intake:follow_up", args=[token]), {})

    assert response.status_code == 400
    _assert_logged_without(caplog, token)


def test_refused_booking_manage_link_logs_no_token(client, caplog):
    start = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    token = manage_token(make_appointment(make_practitioner(make_location()), start))
    tampered = token[:-2] + "xx"

    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("portal:manage_booking", args=[tampered]))

    assert 400 <= response.status_code < 500
    _assert_logged_without(caplog, tampered)


def test_redaction_keeps_short_segments_and_the_request_line():
    token = ".eJyrVspUslIyNDJS0lHKUwKSBUlFqQXWxjc:1tq:AbCdEfGhIjKlMnOp"
    line = f'"GET /intake/{token}/about/ HTTP/1.1" 404'

    assert redact_tokens(line) == '"GET /intake/[redacted]/about/ HTTP/1.1" 404'
    assert redact_tokens("Not Found: /staff/patients/12/intakes/") == (
        "Not Found: /staff/patients/12/intakes/"
    )
