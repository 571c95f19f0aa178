"""The check and the import run in the background: the upload request only stores the file
and queues; the page refreshes until the worker is done; an import starts once per check,
and a failed task leaves the upload marked failed with nothing half-written."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.imports import importing, uploads
from sotclinic.imports.models import ExternalRecord, ImportUpload, UploadStatus
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment
from tests.concurrency import run_at_once
from tests.factories import make_appointment, make_user

from .conftest import csv_file, form_data, review, upload

PATIENTS = (
    "Patient ID,First Name,Last Name,Birth Date,Email\n"
    "101,Olivia,Hartley,1984-03-07,olivia@example.com\n"
    "102,Tom,Baker,1990-02-03,tom@example.com\n"
    "103,Zoë,Müller,1975-01-02,zoe@example.com\n"
)


def _queued_only(send):
    """A request whose background work is queued but not run yet (a worker busy elsewhere)."""
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = send()
    return response, queued


def _post_file(client, text=PATIENTS):
    return client.post(
        "/staff/import/", {"kind": "patient", "source": "jane", "file": csv_file(text)}
    )


@pytest.mark.django_db
def test_the_upload_stores_the_file_privately_and_the_page_refreshes_while_checking(client, desk):
    response, queued = _queued_only(lambda: _post_file(client))
    stored = ImportUpload.objects.get()

    assert response.status_code == 302
    assert response["Location"] == f"/staff/import/{stored.pk}/"
    assert stored.status == UploadStatus.CHECKING and len(queued) == 1
    path = Path(stored.file.path)
    assert path.is_relative_to(settings.IMPORTS_ROOT)  # not served: see upload_storage
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    assert path.stat().st_mode & 0o077 == 0
    with pytest.raises(NotImplementedError):
        stored.file.url  # noqa: B018 - a private file has no address

    page = client.get(response["Location"])
    assert b'http-equiv="refresh"' in page.content
    assert b"Checking the file (0 of 3 rows)" in page.content
    assert b"Import 3 rows" not in page.content

    queued[0]()  # the worker's turn
    done = client.get(response["Location"])
    assert b'http-equiv="refresh"' not in done.content
    assert b"Ready: 3 to create" in done.content
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_the_check_writes_how_far_it_is_and_keeps_nothing(client, desk, monkeypatch):
    monkeypatch.setattr(importing, "CHECK_BATCH_ROWS", 2)
    seen = []
    monkeypatch.setattr(
        uploads,
        "_note_progress",
        lambda stored, done, note=uploads._note_progress: (
            note(stored, done),
            seen.append(ImportUpload.objects.get(pk=stored.pk).rows_done),
        ),
    )

    checked = upload(client, "patient", "jane", PATIENTS)

    assert seen == [2, 3]
    assert checked.context["upload"].rows_done == 3
    assert Patient.objects.count() == 0 and ExternalRecord.objects.count() == 0


@pytest.mark.django_db
def test_rows_checked_in_separate_transactions_still_meet_each_other(
    client, desk, clinic, monkeypatch
):
    monkeypatch.setattr(importing, "CHECK_BATCH_ROWS", 1)
    same_person = PATIENTS + "104,olivia,HARTLEY,1984-03-07,\n105,Ann,Lee,1984-03-07,o@x.org\n"
    checked = upload(client, "patient", "jane", same_person)
    outcomes = [row.outcome for row in checked.context["result"].rows]
    assert outcomes == ["created", "created", "created", "linked", "created"]
    imported = review(client, checked, commit=True)
    assert b"4 created, 0 changed, 1 linked" in imported.content

    day = (timezone.now() + dt.timedelta(days=30)).date().isoformat()
    text = "Appointment ID,Patient ID,Start At,Staff Member,Treatment,Location,State\n" + "".join(
        f"{n},{patient},{day} {time},{doctor},Adjustment,,\n"
        for n, patient, time, doctor in [
            (1, 101, "10:30", "Dr. Anna Weber"),
            (2, 102, "11:30", "Anna Weber"),
            (3, 103, "10:40", "anna weber"),
        ]
    )
    appointments = upload(client, "appointment", "jane", text)
    problems = [row.problems for row in appointments.context["result"].rows]
    assert problems[:2] == [[], []] and "already has an appointment" in problems[2][0]


@pytest.mark.django_db(transaction=True)
def test_other_writers_go_on_between_the_checks_transactions(client, desk, monkeypatch):
    """On SQLite the write lock is free between batches: another connection writes at once."""
    monkeypatch.setattr(importing, "CHECK_BATCH_ROWS", 2)
    written = []

    def write_elsewhere():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 50")
        make_user(Role.FRONT_DESK, username=f"elsewhere-{len(written)}")
        written.append(True)

    monkeypatch.setattr(
        uploads,
        "_note_progress",
        lambda stored, done, note=uploads._note_progress: (
            note(stored, done),
            run_at_once(write_elsewhere, times=1),
        ),
    )

    checked = upload(client, "patient", "jane", PATIENTS)

    assert written == [True, True]
    assert checked.context["summary"]["created"] == 3


@pytest.mark.django_db
def test_the_page_shows_the_import_running_then_its_result(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    address = f"/staff/import/{checked.context['upload'].pk}/"

    response, queued = _queued_only(
        lambda: client.post(address, form_data(checked) | {"import": "1"})
    )
    assert response.status_code == 302
    running = client.get(address)
    assert b"Importing 3 rows" in running.content
    assert b'http-equiv="refresh"' in running.content

    queued[0]()
    done = client.get(address)
    assert b"3 created, 0 changed" in done.content
    assert Patient.objects.count() == 3


@pytest.mark.django_db
def test_a_second_click_on_import_imports_nothing_more(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    data = form_data(checked) | {"import": "1"}
    address = f"/staff/import/{checked.context['upload'].pk}/"

    assert review(client, checked, commit=True).status_code == 200
    again = client.post(address, data)

    assert again.status_code == 409
    assert b"checked again or imported since this page was shown" in again.content
    assert Patient.objects.count() == 3
    pk = checked.context["upload"].pk
    assert str(ImportUpload.objects.get()) == f"jane patient upload {pk} (imported)"


@pytest.mark.django_db
def test_an_import_of_a_check_that_was_replaced_is_refused(client, desk):
    first = upload(client, "patient", "jane", PATIENTS)
    second = review(client, first)  # checked again (e.g. in another tab)
    assert second.context["upload"].version == first.context["upload"].version + 1

    stale = review(client, first, commit=True)
    without_version = {k: v for k, v in form_data(second).items() if k != "version"}
    address = f"/staff/import/{first.context['upload'].pk}/"
    assert client.post(address, without_version | {"import": "1"}).status_code == 409

    assert stale.status_code == 409
    assert b"checked again or imported since" in stale.content
    assert Patient.objects.count() == 0
    # A task of the replaced check changes nothing either.
    stored = second.context["upload"]
    uploads.check_upload(stored.pk, first.context["upload"].version)
    uploads.import_upload(stored.pk, first.context["upload"].version)
    assert ImportUpload.objects.get().status == UploadStatus.CHECKED


@pytest.mark.django_db
def test_columns_changed_after_the_check_are_checked_before_an_import(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)

    response = review(client, checked, commit=True, column_4="")

    assert response.status_code == 409
    assert b"The columns were changed after the check" in response.content
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_columns_are_not_changed_while_the_file_is_imported(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    address = f"/staff/import/{checked.context['upload'].pk}/"
    _queued_only(lambda: client.post(address, form_data(checked) | {"import": "1"}))

    response = client.post(address, form_data(checked) | {"check": "1"})

    assert response.status_code == 409
    assert ImportUpload.objects.get().status == UploadStatus.IMPORTING


@pytest.mark.django_db
def test_the_import_finds_what_changed_since_the_check_and_keeps_nothing(client, desk, clinic):
    patients = "Patient ID,First Name,Last Name,Birth Date\nA-1,Ann,Lee,1980-01-02\n"
    review(client, upload(client, "patient", "jane", patients), commit=True)
    day = timezone.now().date() + dt.timedelta(days=30)
    text = (
        "Appointment ID,Patient ID,Start At,Staff Member,Treatment,Location,State\n"
        f"9001,A-1,{day.isoformat()} 10:30,Dr. Anna Weber,Adjustment,,\n"
    )
    checked = upload(client, "appointment", "jane", text)
    assert checked.context["summary"]["problems"] == 0
    start = dt.datetime.combine(day, dt.time(10, 30), tzinfo=clinic["location"].tz)
    make_appointment(clinic["doctor"], start, kind=clinic["kind"])  # booked meanwhile

    response = review(client, checked, commit=True)

    assert response.context["upload"].status == UploadStatus.CHECKED
    assert b"nothing was imported" in response.content
    assert b"already has an appointment" in response.content
    assert b"Import 1 row" not in response.content
    assert Appointment.objects.count() == 1


def _refuse_patients_named(name: str) -> None:
    """A database that refuses one insert (as a full disk or a broken constraint would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_patient() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.first_name = '{name}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_patient BEFORE INSERT ON patients_patient "
                "FOR EACH ROW EXECUTE FUNCTION refuse_patient()"
            )
        else:
            cursor.execute(
                "CREATE TEMP TRIGGER refuse_patient BEFORE INSERT ON patients_patient "
                f"WHEN NEW.first_name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


@pytest.mark.django_db
def test_an_import_that_fails_midway_is_marked_failed_and_keeps_nothing(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    _refuse_patients_named("Zoë")  # the third row, after two were written

    response = review(client, checked, commit=True)

    assert response.context["upload"].status == UploadStatus.FAILED
    assert b"Something went wrong on the server while the file was imported" in response.content
    assert Patient.objects.count() == 0 and ExternalRecord.objects.count() == 0
    # Checked again from there once the cause is gone.
    with connection.cursor() as cursor:
        on = " ON patients_patient" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER refuse_patient{on}")
    assert review(client, response).context["upload"].status == UploadStatus.CHECKED


@pytest.mark.django_db
def test_a_check_that_fails_is_marked_failed(client, desk):
    response, queued = _queued_only(lambda: _post_file(client))
    stored = ImportUpload.objects.get()
    Path(stored.file.path).write_bytes(b"\xff\xfe\x00broken")

    queued[0]()

    page = client.get(response["Location"])
    assert b"Something went wrong on the server while the file was checked" in page.content
    assert ImportUpload.objects.get().status == UploadStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_start_one_import(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    stored = checked.context["upload"]
    fields = stored.fields

    errors = run_at_once(lambda: uploads.start_import(stored, stored.version, fields))

    assert [type(error) for error in errors] == [uploads.UploadRefused]
    assert ImportUpload.objects.get().status == UploadStatus.IMPORTED
    assert Patient.objects.count() == 3 and ExternalRecord.objects.count() == 3


@pytest.mark.django_db
def test_old_uploads_and_their_files_are_purged(client, desk, settings):
    settings.IMPORT_KEEP_DAYS = 3
    upload(client, "patient", "jane", PATIENTS)
    upload(client, "patient", "jane", PATIENTS)
    old, recent = ImportUpload.objects.order_by("pk")
    ImportUpload.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(days=3, minutes=1)
    )

    assert uploads.purge_old_uploads() == 1

    assert list(ImportUpload.objects.all()) == [recent]
    assert not Path(old.file.path).exists() and Path(recent.file.path).exists()


@pytest.mark.django_db
def test_the_purge_is_one_of_the_workers_periodic_tasks():
    from django_q.models import Schedule

    from sotclinic.worker import ensure_schedules

    ensure_schedules()

    assert Schedule.objects.get(func="sotclinic.imports.uploads.purge_old_uploads").minutes == 1440


def test_a_practitioner_may_not_open_an_upload(client, db):
    client.force_login(make_user(Role.PRACTITIONER))

    assert client.get("/staff/import/1/").status_code == 403


# A worker stopped halfway (the queue's timeout, a restart, a crash) -------------------------


def _later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


@pytest.mark.django_db
def test_the_worker_notes_when_it_takes_up_the_check_and_the_import(client, desk):
    before = timezone.now()
    checked = upload(client, "patient", "jane", PATIENTS)
    check_taken_up = ImportUpload.objects.get().worked_at
    review(client, checked, commit=True)

    assert before <= check_taken_up <= ImportUpload.objects.get().worked_at <= timezone.now()


@pytest.mark.django_db
def test_a_step_still_waiting_for_a_worker_is_never_marked_abandoned(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    address = f"/staff/import/{checked.context['upload'].pk}/"
    ImportUpload.objects.update(worked_at=None)  # as before any worker took the import up
    _, queued = _queued_only(lambda: client.post(address, form_data(checked) | {"import": "1"}))

    assert uploads.fail_abandoned(now=_later(60 * 24)) == 0

    queued[0]()  # a worker comes back after a day and imports it
    assert ImportUpload.objects.get().status == UploadStatus.IMPORTED
    assert Patient.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "words"),
    [
        (UploadStatus.CHECKING, b"The check stopped before it was done"),
        (UploadStatus.IMPORTING, b"The import stopped before it was done"),
    ],
)
def test_a_step_whose_worker_stopped_is_marked_failed_once_the_queue_gave_it_up(
    client, desk, status, words
):
    checked = upload(client, "patient", "jane", PATIENTS)
    # What a worker stopped in the middle of the step leaves: the step taken up, nothing else.
    taken_up = timezone.now()
    ImportUpload.objects.update(status=status, worked_at=taken_up)
    given_up = taken_up + uploads.abandoned_after()

    assert uploads.fail_abandoned(now=given_up) == 0  # a step may take the queue's timeout
    assert uploads.fail_abandoned(now=given_up + dt.timedelta(seconds=1)) == 1

    page = client.get(f"/staff/import/{checked.context['upload'].pk}/")
    assert ImportUpload.objects.get().status == UploadStatus.FAILED
    assert words in page.content and b"split it into smaller files" in page.content
    assert b'http-equiv="refresh"' not in page.content
    assert Patient.objects.count() == 0
    # Checked again and imported from there.
    again = review(client, page)
    assert again.context["upload"].status == UploadStatus.CHECKED
    review(client, again, commit=True)
    assert Patient.objects.count() == 3


def _marked_failed_once_taken_up() -> None:
    """A database where the sweep marks the import failed right after the worker took it up,
    before its transaction begins (the moment a late sweep could come)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION swept() RETURNS trigger AS $$ BEGIN "
                "IF OLD.worked_at IS NULL THEN NEW.status := 'failed'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER swept BEFORE UPDATE OF worked_at ON imports_importupload "
                "FOR EACH ROW EXECUTE FUNCTION swept()"
            )
        else:
            cursor.execute(
                "CREATE TEMP TRIGGER swept AFTER UPDATE OF worked_at ON imports_importupload "
                "WHEN OLD.worked_at IS NULL BEGIN "
                "UPDATE imports_importupload SET status = 'failed' WHERE id = NEW.id; END"
            )


@pytest.mark.django_db
def test_an_import_marked_failed_before_its_transaction_began_imports_nothing(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    stored = checked.context["upload"]
    ImportUpload.objects.update(status=UploadStatus.IMPORTING, worked_at=None)
    _marked_failed_once_taken_up()

    uploads.import_upload(stored.pk, stored.version)

    assert ImportUpload.objects.get().status == UploadStatus.FAILED
    assert Patient.objects.count() == 0 and ExternalRecord.objects.count() == 0


ON_POSTGRESQL = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="an import that waits inside its transaction (pg_sleep) in another session",
)


class _ImportInWorker:
    """The upload's import run by a worker process of its own, each patient row taking a
    second to write; ``cut_off`` kills the process there, as a stopped worker is."""

    RUN = (
        "import django, sys; django.setup()\n"
        "from django.db import connection\n"
        "from sotclinic.imports import uploads\n"
        "print(connection.cursor().connection.info.backend_pid, flush=True)\n"
        "uploads.import_upload(int(sys.argv[1]), int(sys.argv[2]))\n"
    )

    def __init__(self, stored: ImportUpload):
        from .test_worker import _database_url

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION slow_patient() RETURNS trigger AS $$ BEGIN "
                "PERFORM pg_sleep(1); RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER slow_patient BEFORE INSERT ON patients_patient "
                "FOR EACH ROW EXECUTE FUNCTION slow_patient()"
            )
        ImportUpload.objects.update(status=UploadStatus.IMPORTING)  # as start_import leaves it
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.RUN, str(stored.pk), str(stored.version)],
            env={
                **os.environ,
                "DATABASE_URL": _database_url(),
                "SOTCLINIC_VAR_DIR": str(settings.VAR_DIR),
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        self.backend = int(self.process.stdout.readline())
        deadline = time.monotonic() + 30
        while not self._in("PgSleep"):
            assert time.monotonic() < deadline, "the import did not start writing"
            time.sleep(0.05)

    def _in(self, wait_event: str | None) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", [self.backend])
            row = cursor.fetchone()
        return row is not None and row[0] == wait_event

    def cut_off(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)
        # Its session ends when the statement it was in finds the client gone.
        deadline = time.monotonic() + 30
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [self.backend]
                )
                if not cursor.fetchone()[0]:
                    return
            assert time.monotonic() < deadline, "the killed worker's session did not end"
            time.sleep(0.1)

    def wait(self) -> None:
        assert self.process.wait(timeout=60) == 0

    def remove(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER slow_patient ON patients_patient")
            cursor.execute("DROP FUNCTION slow_patient()")


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_an_import_cut_off_midway_stays_importing_until_marked_failed(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    worker = _ImportInWorker(checked.context["upload"])
    try:
        worker.cut_off()
    finally:
        worker.remove()

    assert ImportUpload.objects.get().status == UploadStatus.IMPORTING
    assert Patient.objects.count() == 0
    assert uploads.fail_abandoned(now=_later(5)) == 1
    assert ImportUpload.objects.get().status == UploadStatus.FAILED
    assert Patient.objects.count() == 0


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_running_import_is_not_marked_failed_however_late_the_sweep(client, desk):
    checked = upload(client, "patient", "jane", PATIENTS)
    worker = _ImportInWorker(checked.context["upload"])
    try:
        # The sweep waits for the import's outcome: imported, so nothing to mark.
        assert uploads.fail_abandoned(now=_later(60)) == 0
        worker.wait()
    finally:
        worker.remove()

    assert ImportUpload.objects.get().status == UploadStatus.IMPORTED
    assert Patient.objects.count() == 3


@pytest.mark.django_db
def test_the_sweep_for_abandoned_steps_is_one_of_the_workers_periodic_tasks():
    from django_q.models import Schedule

    from sotclinic.worker import ensure_schedules

    ensure_schedules()

    sweep = Schedule.objects.get(func="sotclinic.imports.uploads.fail_abandoned")
    # Often enough that a stopped step is reported within minutes of the queue giving it up.
    assert sweep.minutes * 60 <= uploads.abandoned_after().total_seconds()
