"""A clinic to import into, and the two steps of the import page driven over HTTP."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from sotclinic.accounts.models import Role
from tests.factories import (
    make_appointment_type,
    make_location,
    make_open_practitioner,
    make_user,
)


@pytest.fixture
def clinic():
    location = make_location(name="Harbour Street", time_zone="Europe/London")
    user = make_user(Role.PRACTITIONER, first_name="Anna", last_name="Weber")
    doctor = make_open_practitioner(
        location, start="08:00", end="18:00", user=user, display_name="Dr. Anna Weber"
    )
    kind = make_appointment_type([doctor], name="Adjustment", duration_minutes=20, buffer_minutes=0)
    return {"location": location, "doctor": doctor, "kind": kind}


@pytest.fixture
def desk(client):
    user = make_user(Role.FRONT_DESK, username="desk")
    client.force_login(user)
    return user


def future_day(days: int = 30) -> dt.date:
    return (timezone.now() + dt.timedelta(days=days)).date()


def csv_file(text, name: str = "export.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    raw = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def _settled(send):
    """A request and the background work it queues (run at once, TASKS_SYNC) once it commits;
    redirects followed to the upload's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = send()
    while response.status_code == 302:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = response.client.get(response["Location"])
    return response


def upload(client, kind: str, source: str, text, *, system_name="Old system", **extra):
    """Step one: choose the file (from another system: called ``system_name``); the answer is
    the upload's page once the check has run."""
    named = {"system_name": system_name} if source == "generic" else {}
    return _settled(
        lambda: client.post(
            "/staff/import/",
            {"kind": kind, "source": source, **named, "file": csv_file(text, **extra)},
        )
    )


def form_data(response) -> dict:
    data = response.context["form"].data
    data = data.dict() if hasattr(data, "dict") else dict(data)
    return {**data, "version": response.context["upload"].version}


def review(client, response, *, commit: bool = False, **changes):
    """Step two: post the upload page's form back (``changes`` to its fields): check again,
    or import; the answer is the upload's page once that work has run."""
    data = {**form_data(response), **changes}
    data.pop("check", None)
    data.pop("import", None)
    data["import" if commit else "check"] = "1"
    address = f"/staff/import/{response.context['upload'].pk}/"
    return _settled(lambda: client.post(address, data))


def import_file(client, kind: str, source: str, text, **changes):
    """Both steps: check, then import; the answer of the import."""
    return review(client, upload(client, kind, source, text), commit=True, **changes)
