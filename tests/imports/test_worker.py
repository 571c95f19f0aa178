"""A real background worker (`sotclinic worker`, a subprocess) checks and imports an upload
queued by the page: the same code as the rest of the suite runs at once (TASKS_SYNC), here
through the queue in the test database."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf

from sotclinic.imports.models import ImportUpload, UploadStatus
from sotclinic.patients.models import Patient

from .conftest import csv_file

PATIENTS = (
    "Patient ID,First Name,Last Name,Birth Date,Email\n"
    "101,Olivia,Hartley,1984-03-07,olivia@example.com\n"
    "102,Tom,Baker,1990-02-03,tom@example.com\n"
)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _wait_for(upload_id: int, status: str, worker) -> ImportUpload:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        upload = ImportUpload.objects.get(pk=upload_id)
        if upload.status == status:
            return upload
        assert worker.poll() is None, "the worker stopped"
        time.sleep(0.3)
    raise AssertionError(f"upload {upload_id} is {upload.status}, not {status}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_and_imports_what_the_page_queued(client, desk, monkeypatch, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker, not run here
    response = client.post(
        "/staff/import/", {"kind": "patient", "source": "jane", "file": csv_file(PATIENTS)}
    )
    upload = ImportUpload.objects.get()
    assert response.status_code == 302 and upload.status == UploadStatus.CHECKING

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "sotclinic.cli", "worker"],
        env={
            **os.environ,
            "DATABASE_URL": _database_url(),
            "SOTCLINIC_VAR_DIR": str(settings.VAR_DIR),
            "TASKS_SYNC": "false",
            "WORKER_PROCESSES": "1",
            "TASK_POLL_SECONDS": "0.2",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        checked = _wait_for(upload.pk, UploadStatus.CHECKED, worker)
        assert checked.problems == 0 and Patient.objects.count() == 0

        page = client.get(f"/staff/import/{upload.pk}/")
        data = {**page.context["form"].data, "version": checked.version, "import": "1"}
        assert client.post(f"/staff/import/{upload.pk}/", data).status_code == 302

        _wait_for(upload.pk, UploadStatus.IMPORTED, worker)
        assert b"2 created, 0 changed" in client.get(f"/staff/import/{upload.pk}/").content
        assert Patient.objects.count() == 2
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
