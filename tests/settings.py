"""Settings for the test suite: the app's own, plus what a test run has no other way to get.

- A SECRET_KEY: against PostgreSQL the app refuses to start without one (every server of a
  deployment must share it), and test servers started in subprocesses must agree with the tests.
- Static files under their plain names, served from the package (WhiteNoise's finders and
  pytest-django's live server), so no collectstatic before a run. tests/test_static.py checks
  the collected, hashed files through a server started with the app's own settings.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-by-a-real-server-0123456789")

from sotclinic.settings import *  # noqa: E402, F403
from sotclinic.settings import STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
