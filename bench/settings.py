"""The app's settings with the baseline view added to the URLs."""

from sotclinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Mail stays in memory; test-environment template instrumentation stays off so that page
# timings are what a server pays.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Pages link static files by their plain names: the benchmarks run without collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
