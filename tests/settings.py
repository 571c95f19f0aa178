"""Settings for the test suite: the app's own, plus what a test run has no other way to get.

- A SECRET_KEY: against PostgreSQL the app refuses to start without one (every server of a
  deployment must share it), and test servers started in subprocesses must agree with the tests.
- Background tasks run at once in the process that queues them (TASKS_SYNC): a message queued
  by a request is sent through the real sending code when the request's transaction commits,
  so tests read django.core.mail.outbox right after. tests/messaging/test_workers.py runs real
  workers, and servers started with TASKS_SYNC=false leave the sending to them.
- No worker heartbeat is required by /healthz (no worker runs beside most tests); texts go to
  sotclinic.messaging.sms.outbox.
- Static files under their plain names, served from the package (WhiteNoise's finders and
  pytest-django's live server), so no collectstatic before a run. tests/test_static.py checks
  the collected, hashed files through a server started with the app's own settings.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-by-a-real-server-0123456789")
os.environ.setdefault("TASKS_SYNC", "true")
os.environ.setdefault("HEALTH_WORKER_SILENCE_SECONDS", "0")
os.environ.setdefault("SMS_BACKEND", "sotclinic.messaging.sms.LocmemBackend")

from sotclinic.settings import *  # noqa: E402, F403
from sotclinic.settings import STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
