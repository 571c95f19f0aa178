"""Export jobs as the worker runs them: a job cancelled while it runs leaves no files."""

import datetime as dt

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from sotclinic.fhir.models import BulkExport, RecordDownload, Status
from sotclinic.fhir.services import run_bulk_export
from tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _job(**extra) -> BulkExport:
    return BulkExport.objects.create(
        client_id="c",
        types=["Patient", "Location"],
        request_url="https://clinic.example/fhir/R4/$export",
        expires_at=timezone.now() + dt.timedelta(hours=1),
        **extra,
    )


def test_a_job_cancelled_while_it_runs_stops_and_leaves_no_files(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    make_patient()
    job = _job()

    def cancel_once_running(sender, instance, **kwargs):
        # The client's DELETE, arriving while the worker writes.
        if instance.status == Status.RUNNING:
            BulkExport.objects.filter(pk=instance.pk).delete()

    post_save.connect(cancel_once_running, sender=BulkExport)
    try:
        run_bulk_export(str(job.pk))
    finally:
        post_save.disconnect(cancel_once_running, sender=BulkExport)

    assert not BulkExport.objects.exists()
    assert not (tmp_path / "exports" / job.folder).exists()


def test_a_finished_job_is_not_run_again(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    job = _job(status=Status.DONE)

    run_bulk_export(str(job.pk))

    assert not (tmp_path / "exports").exists()


def test_jobs_name_themselves_by_status():
    patient = make_patient()
    download = RecordDownload.objects.create(patient=patient, expires_at=timezone.now())

    assert str(_job()).endswith("(queued)")
    assert str(download) == f"record download {download.pk} (queued)"
